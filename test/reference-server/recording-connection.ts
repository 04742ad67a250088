/**
 * Test doubles for the protocol core: a ConnectionPort that records every action, and a scripted client that
 * speaks the protocol to a ChatService through it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChatService } from '../../reference-server/chat-service.js';
import { resolveConfig, type ServerConfig } from '../../reference-server/config.js';
import type { ConnectionPort } from '../../reference-server/connection-port.js';
import type { ServerObserver } from '../../reference-server/server-observer.js';
import type { ConnectionSession } from '../../reference-server/session.js';
import {
  decodeDatagram,
  decodeFrames,
  encodeDatagram,
  encodeFrame,
  encodeUploadChunk,
  type Frame,
  type FrameName,
  type FrameTypeRef,
  type PayloadFor,
} from '../../spec/index.js';

/** One thing the core asked the connection to do. */
export type PortAction =
  | { type: 'send'; streamId: number; bytes: Uint8Array }
  | { type: 'finish'; streamId: number }
  | { type: 'abort'; streamId: number; code: number }
  | { type: 'datagram'; bytes: Uint8Array }
  | { type: 'close'; code: number; reason: string };

/** A ConnectionPort that records actions in order. */
export class RecordingConnection implements ConnectionPort {
  readonly actions: PortAction[] = [];

  send(streamId: number, bytes: Uint8Array): void {
    this.actions.push({ type: 'send', streamId, bytes });
  }
  finish(streamId: number): void {
    this.actions.push({ type: 'finish', streamId });
  }
  abortStream(streamId: number, code: number): void {
    this.actions.push({ type: 'abort', streamId, code });
  }
  sendDatagram(bytes: Uint8Array): void {
    this.actions.push({ type: 'datagram', bytes });
  }
  close(code: number, reason: string): void {
    this.actions.push({ type: 'close', code, reason });
  }

  /** All frames sent on a stream so far, decoded (the stream's bytes are concatenated first). */
  framesOn(streamId: number): Frame[] {
    const parts = this.actions.flatMap((a) =>
      a.type === 'send' && a.streamId === streamId ? [a.bytes] : [],
    );
    return decodeFrames(Buffer.concat(parts));
  }

  /** Decoded datagrams sent so far. */
  datagrams(): Frame[] {
    return this.actions.flatMap((a) => (a.type === 'datagram' ? [decodeDatagram(a.bytes)] : []));
  }

  /** Streams written to, in first-write order. */
  streamsWritten(): number[] {
    const seen: number[] = [];
    for (const a of this.actions) if (a.type === 'send' && !seen.includes(a.streamId)) seen.push(a.streamId);
    return seen;
  }

  /** The close action, if any. */
  closed(): { code: number; reason: string } | undefined {
    const action = this.actions.find((a) => a.type === 'close');
    return action?.type === 'close' ? action : undefined;
  }

  /** Forgets recorded actions (to look only at what follows). */
  clear(): void {
    this.actions.length = 0;
  }
}

/** Control stream id the test clients use (the client's first bidirectional stream). */
export const CONTROL = 0;

/** A protocol client driving one session, with its own recorded output. */
export class TestClient {
  readonly port = new RecordingConnection();
  readonly session: ConnectionSession;
  private nextUni = 2;
  private chatStream: number | null = null;

  constructor(
    readonly service: ChatService,
    /** Source IP address the connection comes from. */
    address = '127.0.0.1',
  ) {
    this.session = service.connect(this.port, address);
  }

  /** Sends frames on the control stream. */
  control<T extends FrameTypeRef>(type: T, payload: PayloadFor<T>, fin = false): void {
    this.session.onStreamData(CONTROL, encodeFrame(type, payload), fin);
  }

  /** Raw bytes on a stream. */
  raw(streamId: number, bytes: Uint8Array, fin = false): void {
    this.session.onStreamData(streamId, bytes, fin);
  }

  /** Opens a new client uni stream id (2, 6, 10, ...). */
  newUniStream(): number {
    const id = this.nextUni;
    this.nextUni += 4;
    return id;
  }

  /** Sends a chat command on this client's chat-command stream (opened on first use). */
  command<T extends FrameTypeRef>(type: T, payload: PayloadFor<T>): void {
    if (this.chatStream === null) this.chatStream = this.newUniStream();
    this.session.onStreamData(this.chatStream, encodeFrame(type, payload), false);
  }

  /** Sends a frame on a given stream. */
  on<T extends FrameTypeRef>(streamId: number, type: T, payload: PayloadFor<T>, fin = false): void {
    this.session.onStreamData(streamId, encodeFrame(type, payload), fin);
  }

  /** Sends an upload chunk (frame + bytes) on a stream. */
  chunk(streamId: number, uploadId: number, offset: number, data: Uint8Array): void {
    this.session.onStreamData(streamId, encodeUploadChunk({ upload_id: uploadId, offset }, data), false);
  }

  /** Sends a datagram. */
  datagram<T extends FrameTypeRef>(type: T, payload: PayloadFor<T>): void {
    this.session.onDatagram(encodeDatagram(type, payload));
  }

  /** Hello + Auth by username; returns the client for chaining. */
  login(username: string): this {
    this.control('Hello', { version: 1, capabilities: ['chat', 'presence'] });
    this.control('Auth', { method: 'username', credentials: username });
    return this;
  }

  /** Frames received on the control stream. */
  controlFrames(): Frame[] {
    return this.port.framesOn(CONTROL);
  }

  /** Frames of a given name received on the control stream. */
  controlOf<N extends FrameName>(name: N): Extract<Frame, { name: N }>[] {
    return this.controlFrames().filter((f): f is Extract<Frame, { name: N }> => f.name === name);
  }

  /** Error frames received. */
  errors(): { code: number; message: string; context: string | null }[] {
    return this.controlOf('Error').map((f) => f.payload);
  }

  /** Frames on a stream. */
  framesOn(streamId: number): Frame[] {
    return this.port.framesOn(streamId);
  }
}

/** A manually advanced clock. */
export class FakeClock {
  constructor(public time = 1_700_000_000_000) {}
  readonly now = (): number => this.time;
  advance(ms: number): void {
    this.time += ms;
  }
}

/** A ChatService with test-friendly config overrides (file keys), a fake clock and a temp upload dir. */
export function testService(
  overrides: Record<string, unknown> = {},
  clock = new FakeClock(),
  observer?: ServerObserver,
): { service: ChatService; clock: FakeClock; config: ServerConfig } {
  // Both auth methods: most tests log in by username although a secret is set for the token tests.
  const config = resolveConfig({ token_secret: 'test-secret', auth_methods: 'username,token', ...overrides });
  const dataDir = mkdtempSync(join(tmpdir(), 'garou-core-test-'));
  createdDirs.push(dataDir);
  const service = new ChatService(config, { dataDir, now: clock.now, ...(observer ? { observer } : {}) });
  return { service, clock, config };
}

const createdDirs: string[] = [];

/** Removes the upload directories created by testService (call from afterAll). */
export function removeTestDirs(): void {
  for (const dir of createdDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}
