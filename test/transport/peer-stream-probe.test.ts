/**
 * PeerStreamProbe: new peer streams found with cheap per-id probes (the ids skipped below the next expected one, the
 * next expected ones, then PEER_PROBE_AHEAD ids past them), quiche's readable() iterator only as the fallback, its
 * ids read in stream id order, and nothing read once the connection left 'established'.
 */
import { describe, expect, it } from 'vitest';
import type { ConnectionSide } from '../../transport/connection-types.js';
import { PEER_PROBE_AHEAD, PeerStreamProbe } from '../../transport/peer-stream-probe.js';
import type { PeerStreamReader, ProbedConnection } from '../../transport/peer-stream-probe.js';

/** quiche's connection as the probe sees it: a set of readable stream ids, with its calls counted. */
class FakeQuiche {
  readonly readableIds = new Set<number>();
  probes = 0;
  iterations = 0;

  isReadable(): boolean {
    return this.readableIds.size > 0;
  }

  streamReadable(id: number): boolean {
    this.probes++;
    return this.readableIds.has(id);
  }

  readable(): Iterable<number> {
    this.iterations++;
    return [...this.readableIds];
  }
}

/** The connection's streams: reading a stream tracks it (when new) and empties it; may stop after `openFor` reads. */
class RecordingReader implements PeerStreamReader {
  readonly tracked = new Map<number, true>();
  readonly read: number[] = [];
  readonly probe: PeerStreamProbe;
  openFor = Infinity;

  constructor(
    side: ConnectionSide,
    readonly quiche = new FakeQuiche(),
  ) {
    this.probe = new PeerStreamProbe(side, quiche as unknown as ProbedConnection, this.tracked, this);
  }

  readFoundStream(id: number): boolean {
    this.read.push(id);
    if (!this.tracked.has(id)) {
      this.tracked.set(id, true);
      this.probe.noteTracked(id);
    }
    this.quiche.readableIds.delete(id);
    return this.read.length < this.openFor;
  }

  /** Makes `ids` readable and runs one probe pass; returns the ids read by it. */
  pass(...ids: number[]): number[] {
    for (const id of ids) this.quiche.readableIds.add(id);
    const before = this.read.length;
    this.probe.readNew();
    return this.read.slice(before);
  }
}

/** The client's view: the server's bidi stream ids are 1, 5, 9..., its uni ones 3, 7, 11... */
const serverBidi = (n: number): number => 1 + 4 * n;
const serverUni = (n: number): number => 3 + 4 * n;

describe('PeerStreamProbe', () => {
  it('finds the next expected streams of both directions by probing, without the iterator', () => {
    const reader = new RecordingReader('client');
    expect(reader.pass(serverUni(0), serverBidi(0))).toEqual([serverBidi(0), serverUni(0)]);
    expect(reader.pass(serverBidi(1), serverBidi(2))).toEqual([serverBidi(1), serverBidi(2)]);
    expect(reader.quiche.iterations).toBe(0);
  });

  it('on the server, probes the client-initiated ids 0, 4... and 2, 6...', () => {
    const reader = new RecordingReader('server');
    expect(reader.pass(2, 0, 4)).toEqual([0, 4, 2]);
    expect(reader.quiche.iterations).toBe(0);
  });

  it('finds streams opened out of order within the window, then the ids they skipped', () => {
    const reader = new RecordingReader('client');
    expect(reader.pass(serverUni(5))).toEqual([serverUni(5)]);
    expect(reader.pass(serverUni(PEER_PROBE_AHEAD + 5))).toEqual([serverUni(PEER_PROBE_AHEAD + 5)]);
    expect(reader.pass(serverUni(2))).toEqual([serverUni(2)]);
    expect(reader.pass(serverUni(0))).toEqual([serverUni(0)]);
    expect(reader.pass(serverUni(1))).toEqual([serverUni(1)]);
    expect(reader.pass(serverUni(3), serverUni(4))).toEqual([serverUni(3), serverUni(4)]);
    expect(reader.quiche.iterations).toBe(0);
  });

  it('leaves a stream past the window to the iterator, whose ids it reads in stream id order', () => {
    const reader = new RecordingReader('client');
    const far = serverBidi(PEER_PROBE_AHEAD + 1);
    expect(reader.pass(serverBidi(PEER_PROBE_AHEAD + 40), far)).toEqual([
      far,
      serverBidi(PEER_PROBE_AHEAD + 40),
    ]);
    expect(reader.quiche.iterations).toBe(1);
    // The next expected id moved past the far stream: the window now starts there.
    expect(reader.pass(serverBidi(PEER_PROBE_AHEAD + 41))).toEqual([serverBidi(PEER_PROBE_AHEAD + 41)]);
    expect(reader.quiche.iterations).toBe(1);
  });

  it('reads a tracked stream only through the iterator (the connection probes its own streams itself)', () => {
    const reader = new RecordingReader('client');
    reader.pass(serverBidi(0));
    expect(reader.pass(serverBidi(0))).toEqual([serverBidi(0)]);
    expect(reader.quiche.iterations).toBe(1);
  });

  it('stops probing once nothing is readable any more', () => {
    const reader = new RecordingReader('client');
    reader.pass(serverBidi(0));
    // One probe per direction's first pass (ids 1..5 bidi, 3 uni), none ahead.
    expect(reader.quiche.probes).toBe(3);
  });

  it('reads nothing more once the connection left established', () => {
    const reader = new RecordingReader('client');
    reader.openFor = 1;
    expect(reader.pass(serverBidi(0), serverBidi(1), serverUni(0))).toEqual([serverBidi(0)]);
    const far = new RecordingReader('client');
    far.openFor = 1;
    expect(far.pass(serverBidi(200), serverBidi(100))).toEqual([serverBidi(100)]);
  });
});
