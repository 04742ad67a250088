/**
 * Finding the peer's new readable streams of one connection. quiche's readable() iterator costs ~30 µs per call in
 * this binding where a streamReadable() probe costs ~0.2 µs, so the peer stream ids not seen yet are probed one by
 * one (the ids skipped below the next expected one, the next expected ones, then PEER_PROBE_AHEAD ids past them),
 * each step only while isReadable() says something is left; the iterator is the fallback for anything else (resets
 * of streams we no longer track, ids further ahead). ConnectionStreams owns one and reads what it finds.
 */
import type { Connection as NativeConnection } from '@matrixai/quic/native/index.js';
import type { ConnectionSide } from './connection-types.js';
import { UNIDIRECTIONAL, firstBidiId } from './stream-ids.js';

/** @internal What the probe asks of quiche's connection. */
export type ProbedConnection = Pick<NativeConnection, 'isReadable' | 'streamReadable' | 'readable'>;

/** @internal Who reads the streams the probe finds (the connection's streams). */
export interface PeerStreamReader {
  /** Reads readable stream `id` (tracking it first if new); false once the connection left 'established'. */
  readFoundStream(id: number): boolean;
}

/**
 * New peer stream ids probed past the next expected one before quiche's readable() iterator is asked: a peer may open
 * its streams out of order (the reference server opens a client's shard streams as its rooms need them).
 */
export const PEER_PROBE_AHEAD = 16;
/** Reused by every connection: stream reads never nest. */
const readableIds: number[] = [];
const ascending = (a: number, b: number): number => a - b;

/** @internal The new-stream probe of one connection; see the module comment. */
export class PeerStreamProbe {
  /** Next peer-initiated stream ids we expect to see. */
  private nextBidi: number;
  private nextUni: number;
  /** Lowest peer-initiated stream ids not seen yet (below the next expected one when the peer skipped ids). */
  private lowestUnseenBidi: number;
  private lowestUnseenUni: number;

  /** `tracked`: the streams the connection keeps state for (a tracked stream is not new). */
  constructor(
    side: ConnectionSide,
    private readonly native: ProbedConnection,
    private readonly tracked: ReadonlyMap<number, unknown>,
    private readonly reader: PeerStreamReader,
  ) {
    this.nextBidi = firstBidiId(side === 'client' ? 'server' : 'client');
    this.nextUni = this.nextBidi | UNIDIRECTIONAL;
    this.lowestUnseenBidi = this.nextBidi;
    this.lowestUnseenUni = this.nextUni;
  }

  /** Peer stream `id` was just added to the tracked streams: the ids expected next move past it. */
  noteTracked(id: number): void {
    if (id & UNIDIRECTIONAL) {
      if (id >= this.nextUni) this.nextUni = id + 4;
      if (id === this.lowestUnseenUni) this.lowestUnseenUni = this.unseenFrom(id + 4);
    } else {
      if (id >= this.nextBidi) this.nextBidi = id + 4;
      if (id === this.lowestUnseenBidi) this.lowestUnseenBidi = this.unseenFrom(id + 4);
    }
  }

  /**
   * Reads every readable stream the connection's own pass over its tracked streams left (call it only while the
   * connection is established and quiche says something is readable), in the order of the module comment; the
   * iterator's ids are read in stream id order.
   */
  readNew(): void {
    const q = this.native;
    if (!this.readUnseen(false, 0) || !this.readUnseen(true, 0) || !q.isReadable()) return;
    const ahead = 4 * PEER_PROBE_AHEAD;
    if (!this.readUnseen(false, ahead) || !this.readUnseen(true, ahead) || !q.isReadable()) return;
    const ids = readableIds;
    for (const id of q.readable()) ids.push(id);
    if (ids.length > 1) ids.sort(ascending);
    for (let i = 0; i < ids.length; i++) if (!this.reader.readFoundStream(ids[i] as number)) break;
    ids.length = 0;
  }

  /**
   * Reads the readable peer streams of one direction not seen yet. Without `ahead`: the ids skipped below the next
   * expected one, then the next expected ones while readable. With it: the `ahead` ids past the next expected one
   * (and past any stream found there), which the first pass has seen unreadable up to there. Returns false once the
   * connection left 'established'.
   */
  private readUnseen(unidirectional: boolean, ahead: number): boolean {
    const q = this.native;
    let id = unidirectional ? this.lowestUnseenUni : this.lowestUnseenBidi;
    if (ahead > 0) id = this.nextPeer(unidirectional) + 4;
    while (id <= this.nextPeer(unidirectional) + ahead) {
      if (!this.tracked.has(id) && q.streamReadable(id)) {
        if (!this.reader.readFoundStream(id)) return false;
      } else if (ahead === 0 && id === this.nextPeer(unidirectional)) {
        return true;
      }
      id += 4;
    }
    return true;
  }

  /** The next peer-initiated stream id of a direction we expect to see. */
  private nextPeer(unidirectional: boolean): number {
    return unidirectional ? this.nextUni : this.nextBidi;
  }

  /** The first stream id from `id` on (same type) not among the tracked streams. */
  private unseenFrom(id: number): number {
    while (this.tracked.has(id)) id += 4;
    return id;
  }
}
