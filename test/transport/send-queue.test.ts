import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SendQueue, TAIL_SIZE } from '../../transport/send-queue.js';

/** Drains the queue the way the connection does, taking at most `take(len)` bytes per peek. */
function drain(queue: SendQueue, take: (length: number) => number): Buffer {
  const out: Buffer[] = [];
  let chunk: Uint8Array | null;
  while ((chunk = queue.peek()) !== null) {
    const n = Math.min(chunk.length, take(chunk.length));
    out.push(Buffer.from(chunk.subarray(0, n)));
    queue.consume(n);
  }
  return Buffer.concat(out);
}

describe('SendQueue', () => {
  it('coalesces small writes into few runs', () => {
    const queue = new SendQueue();
    const frame = Buffer.alloc(150, 1);
    for (let i = 0; i < 400; i++) queue.push(frame, 0, frame.length);
    expect(queue.bytes).toBe(60_000);
    let runs = 0;
    drain(queue, (n) => {
      runs++;
      return n;
    });
    expect(runs).toBeLessThanOrEqual(6);
    expect(queue.bytes).toBe(0);
    expect(queue.peek()).toBeNull();
  });

  it('copies: later changes to the written buffer do not leak into the queue', () => {
    const queue = new SendQueue();
    const data = Buffer.from('abc');
    queue.push(data, 0, 3);
    data.write('xyz');
    expect(drain(queue, (n) => n).toString()).toBe('abc');
  });

  it('keeps every byte in order under any mix of write sizes and partial consumption', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.integer({ min: 0, max: 3000 }),
            fc.integer({ min: TAIL_SIZE - 10, max: TAIL_SIZE + 10 }),
          ),
          {
            maxLength: 40,
          },
        ),
        fc.array(fc.integer({ min: 0, max: 5000 }), { minLength: 1, maxLength: 20 }),
        fc.array(fc.integer({ min: 0, max: 39 }), { maxLength: 5 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 40 }),
        (sizes, takes, drainPoints, shared) => {
          const queue = new SendQueue();
          const expected: Buffer[] = [];
          const got: Buffer[] = [];
          let t = 0;
          const take = (n: number): number => Math.min(n, takes[t++ % takes.length] as number);
          sizes.forEach((size, i) => {
            const data = Buffer.alloc(size + 4, i & 0xff);
            data.writeUInt32BE(i, 0);
            // Write from an offset, as write() does after a partial direct send; shared writes mixed in.
            if (shared[i % shared.length] === true) queue.pushShared(data, 4, size);
            else queue.push(data, 4, size);
            expected.push(data.subarray(4));
            if (drainPoints.includes(i)) {
              // Partial drains between writes, stopping when a take of 0 comes up.
              for (let k = 0; k < 3; k++) {
                const chunk = queue.peek();
                if (chunk === null) break;
                const n = take(chunk.length);
                got.push(Buffer.from(chunk.subarray(0, n)));
                queue.consume(n);
              }
            }
          });
          got.push(drain(queue, (n) => Math.max(1, take(n))));
          expect(Buffer.concat(got).equals(Buffer.concat(expected))).toBe(true);
          expect(queue.bytes).toBe(0);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('says whether the peeked run is the last one', () => {
    const queue = new SendQueue();
    queue.push(Buffer.alloc(TAIL_SIZE), 0, TAIL_SIZE);
    queue.push(Buffer.from('tail'), 0, 4);
    expect(queue.peekIsLast()).toBe(false);
    queue.consume(TAIL_SIZE);
    expect(queue.peekIsLast()).toBe(true);
    expect(Buffer.from(queue.peek() ?? []).toString()).toBe('tail');
  });

  it('keeps shared bytes by reference in an empty queue, and copies them behind queued bytes', () => {
    const queue = new SendQueue();
    const frame = Buffer.from('frame');
    queue.pushShared(frame, 0, frame.length);
    // No copy: the very bytes written (a fan-out queues one encoded frame on every member's stream).
    expect(queue.peek()).toBe(frame);
    const next = Buffer.from('next');
    queue.pushShared(next, 0, next.length);
    queue.pushShared(next, 1, 3);
    // Behind queued bytes they coalesce into a copied run, as push does.
    queue.consume(frame.length);
    const run = queue.peek();
    expect(run).not.toBe(next);
    expect(Buffer.from(run ?? []).toString()).toBe('nextext');
    queue.consume(7);
    expect(queue.bytes).toBe(0);
    // Empty again: the next shared write is kept by reference, from its offset.
    queue.pushShared(frame, 2, 3);
    expect(Buffer.from(queue.peek() ?? []).toString()).toBe('ame');
    expect(queue.peek()?.buffer).toBe(frame.buffer);
  });
});
