/**
 * SendTiming: when a connection's send loop may wait for data to carry its acknowledgement, and how often the
 * STOP_SENDING probe runs.
 */
import { describe, expect, it } from 'vitest';
import { BARE_ACK_MAX_BYTES, SWEEP_INTERVAL_MS, SendTiming } from '../../transport/send-timing.js';

/** A packet carrying data (bigger than any bare ACK). */
const DATA = 120;
/** The size of quiche's bare ACKs on loopback. */
const BARE_ACK = 44;

/** A timing whose first send loop has run (a new connection always sends at once: its handshake). */
function afterFirstTransmit(ackDelayMs = 25): SendTiming {
  const timing = new SendTiming(ackDelayMs, SWEEP_INTERVAL_MS);
  expect(timing.holdUntil(0, true)).toBe(0);
  timing.transmitted();
  return timing;
}

describe('SendTiming acknowledgement hold-back', () => {
  it('holds the send after one packet until the ack delay, measured from the first hold', () => {
    const timing = afterFirstTransmit();
    timing.packetArrived(DATA);
    expect(timing.holdUntil(100, true)).toBe(125);
    // Asked again later (another flush), the deadline stays where it was.
    expect(timing.holdUntil(110, true)).toBe(125);
    expect(timing.holdUntil(125, true)).toBe(0);
  });

  it('sends at once on a second packet, on local work, or when the connection is not idle', () => {
    const two = afterFirstTransmit();
    two.packetArrived(DATA);
    expect(two.holdUntil(0, true)).toBeGreaterThan(0);
    two.packetArrived(DATA);
    expect(two.holdUntil(1, true)).toBe(0);

    const written = afterFirstTransmit();
    written.packetArrived(DATA);
    written.localWork();
    expect(written.holdUntil(0, true)).toBe(0);

    const busy = afterFirstTransmit();
    busy.packetArrived(DATA);
    expect(busy.holdUntil(0, false)).toBe(0);
  });

  it('owes nothing when no packet arrived and nothing else asked for the send loop', () => {
    const timing = afterFirstTransmit();
    expect(timing.holdUntil(10, true)).toBe(Infinity);
    timing.packetArrived(DATA);
    expect(timing.holdUntil(20, true)).toBe(45);
  });

  it('never holds with an ack delay of 0', () => {
    const timing = afterFirstTransmit(0);
    timing.packetArrived(DATA);
    expect(timing.holdUntil(0, true)).toBe(0);
  });

  it('does not hold after arrivals no bigger than a bare ACK: they owe nothing, the send loop ends at once', () => {
    expect(BARE_ACK).toBeLessThanOrEqual(BARE_ACK_MAX_BYTES);
    const ackOnly = afterFirstTransmit();
    ackOnly.packetArrived(BARE_ACK);
    expect(ackOnly.holdUntil(0, true)).toBe(0);
    ackOnly.transmitted();
    // One packet with data among them: held as before.
    const mixed = afterFirstTransmit();
    mixed.packetArrived(BARE_ACK_MAX_BYTES + 1);
    expect(mixed.holdUntil(0, true)).toBe(25);
    // The count starts over after the send loop ran.
    mixed.transmitted();
    mixed.packetArrived(BARE_ACK);
    expect(mixed.holdUntil(30, true)).toBe(0);
  });

  it('runs no send loop for a wake-up with nothing owed, also with an ack delay of 0', () => {
    const timing = afterFirstTransmit(0);
    expect(timing.holdUntil(10, true)).toBe(Infinity);
    // Local work still runs it.
    timing.localWork();
    expect(timing.holdUntil(10, true)).toBe(0);
  });

  it('starts over after the send loop ran', () => {
    const timing = afterFirstTransmit();
    timing.packetArrived(DATA);
    expect(timing.holdUntil(0, true)).toBe(25);
    timing.transmitted();
    timing.packetArrived(DATA);
    expect(timing.holdUntil(50, true)).toBe(75);
  });
});

describe('SendTiming STOP_SENDING probe', () => {
  it('probes only after packets arrived, at most once per interval, and names when the next is due', () => {
    const timing = new SendTiming(25, SWEEP_INTERVAL_MS);
    expect(timing.sweepNow(0)).toBe(false);
    expect(timing.nextSweepAt()).toBe(Infinity);
    timing.packetArrived(DATA);
    // Not before the send loop after the arrival: only it tells whether the packet owed an acknowledgement.
    expect(timing.sweepNow(1000)).toBe(false);
    timing.sendLoopRan(1);
    expect(timing.sweepNow(1000)).toBe(true);
    expect(timing.nextSweepAt()).toBe(Infinity);
    timing.packetArrived(DATA);
    timing.sendLoopRan(1);
    expect(timing.sweepNow(1010)).toBe(false);
    expect(timing.nextSweepAt()).toBe(1000 + SWEEP_INTERVAL_MS);
    expect(timing.sweepNow(1000 + SWEEP_INTERVAL_MS)).toBe(true);
    expect(timing.sweepNow(5000)).toBe(false);
  });

  it('does not probe after arrivals whose send loop sent nothing (they were ACKs, never a STOP_SENDING)', () => {
    const timing = new SendTiming(25, SWEEP_INTERVAL_MS);
    timing.packetArrived(BARE_ACK);
    timing.sendLoopRan(0);
    expect(timing.sweepNow(1000)).toBe(false);
    expect(timing.nextSweepAt()).toBe(Infinity);
    // A send loop without arrivals before it proves nothing either way and asks for no probe.
    timing.sendLoopRan(3);
    expect(timing.sweepNow(2000)).toBe(false);
    // Arrivals then a send loop that sent something: probed, even if the arrivals were small.
    timing.packetArrived(BARE_ACK);
    timing.sendLoopRan(1);
    expect(timing.sweepNow(3000)).toBe(true);
  });
});
