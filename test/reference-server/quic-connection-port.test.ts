import { describe, expect, it } from 'vitest';
import { SILENT_LOGGER } from '../../reference-server/connection-port.js';
import { QuicConnectionPort } from '../../reference-server/quic-connection-port.js';
import type { QuicConnection } from '../../transport/index.js';

/** A stand-in for the transport connection: accepts up to `capacity` bytes per write, records everything. */
class FakeQuicConnection {
  state = 'established';
  readonly id = 'fake';
  capacity = Infinity;
  nextUni = 3;
  streamLimit = Infinity;
  readonly written = new Map<number, number[]>();
  readonly fins: number[] = [];
  readonly opened: number[] = [];
  readonly log: string[] = [];

  openUni(): number {
    if (this.opened.length >= this.streamLimit)
      throw new Error("the peer's stream limit allows no new stream now");
    const id = this.nextUni;
    this.nextUni += 4;
    this.opened.push(id);
    return id;
  }
  write(streamId: number, data: Uint8Array, fin = false): number {
    if (streamId % 4 === 3 && !this.opened.includes(streamId))
      throw new Error(`stream ${streamId} was never opened`);
    const take = Math.min(this.capacity, data.length);
    const list = this.written.get(streamId) ?? [];
    list.push(...data.subarray(0, take));
    this.written.set(streamId, list);
    if (take === data.length && fin) this.fins.push(streamId);
    return take;
  }
  setPriority(streamId: number, urgency: number): void {
    this.log.push(`priority ${streamId} ${urgency}`);
  }
  stopSending(streamId: number, code: number): void {
    this.log.push(`stop ${streamId} ${code}`);
  }
  resetStream(streamId: number, code: number): void {
    this.log.push(`reset ${streamId} ${code}`);
  }
  sendDatagram(): boolean {
    return true;
  }
  stats() {
    return { rttMs: 0 };
  }
  close(code: number, reason: string): void {
    this.log.push(`close ${code} ${reason}`);
  }
}

function setup(maxBacklogBytes = 1000) {
  const fake = new FakeQuicConnection();
  const port = new QuicConnectionPort(fake as unknown as QuicConnection, {
    maxBacklogBytes,
    logger: SILENT_LOGGER,
  });
  const failures: string[] = [];
  port.onFailure = (reason) => failures.push(reason);
  return { fake, port, failures };
}

const bytes = (...values: number[]) => new Uint8Array(values);

describe('QuicConnectionPort', () => {
  it('opens server uni streams in order up to the one written', () => {
    const { fake, port } = setup();
    port.send(11, bytes(1)); // shard 2: streams 3 and 7 must be opened first
    expect(fake.opened).toEqual([3, 7, 11]);
    port.send(7, bytes(2));
    expect(fake.opened).toEqual([3, 7, 11]);
    expect(fake.written.get(11)).toEqual([1]);
    expect(fake.log).toContain('priority 11 2');
  });

  it('never cuts a frame: the unaccepted rest waits and is written, in order, on drain', () => {
    const { fake, port } = setup();
    fake.capacity = 2;
    port.send(3, bytes(1, 2, 3));
    port.send(3, bytes(4, 5));
    port.finish(3);
    expect(fake.written.get(3)).toEqual([1, 2]);
    expect(port.pendingBytes).toBe(3);
    fake.capacity = Infinity;
    port.drain(3);
    expect(fake.written.get(3)).toEqual([1, 2, 3, 4, 5]);
    expect(fake.fins).toEqual([3]); // FIN only after the backlog
    expect(port.pendingBytes).toBe(0);
  });

  it('fails a slow consumer whose backlog exceeds the limit', () => {
    const { fake, port, failures } = setup(4);
    fake.capacity = 0;
    port.send(3, bytes(1, 2, 3));
    expect(failures).toEqual([]);
    port.send(3, bytes(4, 5));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(/slow consumer/);
    port.send(3, bytes(6)); // ignored after failure
    expect(port.pendingBytes).toBe(0);
  });

  it('fails the connection when the peer allows no more streams', () => {
    const { fake, port, failures } = setup();
    fake.streamLimit = 2;
    port.send(7, bytes(1));
    port.send(11, bytes(1));
    expect(failures).toEqual([expect.stringMatching(/cannot open server stream 11/)]);
  });

  it('drops writes to a stream the peer stopped, with its backlog', () => {
    const { fake, port } = setup();
    fake.capacity = 1;
    port.send(3, bytes(1, 2));
    port.stop(3);
    expect(port.pendingBytes).toBe(0);
    fake.capacity = Infinity;
    port.send(3, bytes(9));
    expect(fake.written.get(3)).toEqual([1]);
  });

  it('aborts a uni stream with STOP_SENDING and a bidi stream with both directions', () => {
    const { fake, port } = setup();
    port.abortStream(2, 1001);
    port.abortStream(4, 1001);
    expect(fake.log).toEqual(['stop 2 1001', 'stop 4 1001', 'reset 4 1001']);
  });

  it('delays close so the last frames can arrive', async () => {
    const { fake, port } = setup();
    port.close(1001, 'bad');
    port.close(1001, 'bad');
    expect(fake.log).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(fake.log).toEqual(['close 1001 bad']);
  });
});
