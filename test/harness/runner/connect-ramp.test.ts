import { afterEach, describe, expect, it } from 'vitest';
import { ConnectRamp } from '../../../harness/runner/connect-ramp.js';
import { epochNowMs } from '../../../harness/metrics/clock.js';

const ramps: ConnectRamp[] = [];
afterEach(() => {
  for (const ramp of ramps.splice(0)) ramp.stop();
});

/** A ramp whose clients were all due 10 s ago, recording the order of connects. */
function overdueRamp(
  count: number,
  maxInFlight?: number,
  onConnect?: (index: number, ramp: ConnectRamp) => void,
) {
  const connected: number[] = [];
  const clients = Array.from({ length: count }, (_, i) => i);
  const ramp: ConnectRamp = new ConnectRamp(
    clients,
    epochNowMs() - 10_000,
    1000,
    (index) => {
      connected.push(index);
      onConnect?.(index, ramp);
    },
    maxInFlight,
  );
  ramps.push(ramp);
  return { ramp, connected };
}

describe('ConnectRamp', () => {
  it('without a bound, connects every due client at once', () => {
    const { ramp, connected } = overdueRamp(5);
    ramp.advance();
    expect(connected).toEqual([0, 1, 2, 3, 4]);
  });

  it('with a bound, keeps at most that many first connects in flight and goes on as they settle', () => {
    const { ramp, connected } = overdueRamp(5, 2);
    ramp.advance();
    expect(connected).toEqual([0, 1]);
    ramp.settled(4); // not started by the ramp (e.g. a reconnect): frees no place
    expect(connected).toEqual([0, 1]);
    ramp.settled(0);
    expect(connected).toEqual([0, 1, 2]);
    ramp.settled(0); // settling twice frees one place only
    expect(connected).toEqual([0, 1, 2]);
    ramp.settled(1);
    ramp.settled(2);
    expect(connected).toEqual([0, 1, 2, 3, 4]);
  });

  it('a connect that fails inside connect() frees its place without connecting anyone twice', () => {
    const { ramp, connected } = overdueRamp(6, 1, (index, r) => r.settled(index));
    ramp.advance();
    expect(connected).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('with free places, still waits for each client its time in the ramp', async () => {
    const connected: number[] = [];
    // 20 connects/s: client 1 is due 50 ms after the start.
    const ramp = new ConnectRamp([0, 1, 2], epochNowMs(), 20, (index) => connected.push(index), 10);
    ramps.push(ramp);
    ramp.advance();
    expect(connected).toEqual([0]);
    ramp.settled(0);
    expect(connected).toEqual([0]);
    await new Promise((resolve) => setTimeout(resolve, 75));
    expect(connected).toEqual([0, 1]);
  });

  it('stops connecting once stopped, even when places free up', () => {
    const { ramp, connected } = overdueRamp(4, 1);
    ramp.advance();
    ramp.stop();
    ramp.settled(0);
    expect(connected).toEqual([0]);
  });
});
