/**
 * A ProbeRecording fed by hand, as ProbeConnection feeds it from the transport, for tests that need no server.
 */
import { ProbeRecording } from '../../../harness/conformance/probe-recording.js';
import type { CloseInfo } from '../../../transport/index.js';

/** A ProbeRecording whose events a test records directly (control stream 0). */
export class HandFedRecording extends ProbeRecording {
  constructor(defaultNumShards = 8) {
    super(defaultNumShards);
    this.control = 0;
  }

  /** Records stream data as the transport's onData would. */
  data(streamId: number, bytes: Uint8Array, fin = false): void {
    this.recordData(streamId, Buffer.from(bytes), fin);
  }

  /** Records a STOP_SENDING as the transport's onStopSending would. */
  stop(streamId: number, code: number): void {
    this.recordStopSending(streamId, code);
  }

  /** Records the end of the connection (default: the peer closed without an error). */
  close(info: CloseInfo = { cause: 'peer', wasEstablished: true, localError: null, peerError: null }): void {
    this.recordClose(info);
  }
}
