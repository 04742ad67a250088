/** The end-of-run wait's decisions, from sequences of the workers' missing-delivery figures. */
import { describe, expect, it } from 'vitest';
import { drainAfterPhases, EndDrain, type MissingFigures } from '../../../harness/runner/end-drain.js';

const END = 10_000;
const GRACE = 1000;

function drain(maxMs = 4 * GRACE): EndDrain {
  return new EndDrain({ lastPhaseEndMs: END, graceMs: GRACE, maxMs });
}

/** Feeds `figures(t)` every 250 ms from the end of the last phase and returns the first decision. */
function decideOver(d: EndDrain, figures: (atMs: number) => MissingFigures) {
  for (let t = END; t <= END + 60_000; t += 250) {
    d.sample(t, figures(t));
    const summary = d.decide(t);
    if (summary !== null) return summary;
  }
  throw new Error('never decided');
}

describe('EndDrain', () => {
  it('ends at the grace when nothing is missing', () => {
    const summary = decideOver(drain(), () => ({ missing: 0, late: 0 }));
    expect(summary).toEqual({
      graceMs: GRACE,
      maxMs: 4 * GRACE,
      waitedMs: GRACE,
      extended: false,
      ended: 'nothing-missing',
      missingAtGraceEnd: 0,
      missingAtEnd: 0,
      lateAfterGrace: 0,
    });
  });

  it('ends at the grace when missing pairs are not arriving (a server that dropped them)', () => {
    const summary = decideOver(drain(), () => ({ missing: 40, late: 3 }));
    expect(summary).toMatchObject({
      waitedMs: GRACE,
      extended: false,
      ended: 'no-late-arrivals',
      missingAtEnd: 40,
    });
  });

  it('keeps waiting while missing pairs arrive late, and ends when none is missing', () => {
    // 100 missing at the end of the phase, 20 arriving per second.
    const arrived = (t: number): number => Math.min(100, Math.floor((t - END) / 50));
    const summary = decideOver(drain(10 * GRACE), (t) => ({ missing: 100 - arrived(t), late: arrived(t) }));
    expect(summary).toMatchObject({
      extended: true,
      ended: 'nothing-missing',
      missingAtEnd: 0,
      waitedMs: 5000,
    });
    expect(summary.missingAtGraceEnd).toBe(80);
    expect(summary.lateAfterGrace).toBe(80);
  });

  it('ends once the late arrivals stop for the whole window, with what is still missing', () => {
    // Arrivals until +2 s, then 30 pairs stay missing.
    const arrived = (t: number): number => Math.min(70, Math.floor((t - END) / 25));
    const summary = decideOver(drain(10 * GRACE), (t) => ({ missing: 100 - arrived(t), late: arrived(t) }));
    // The last arrival (at +1.75 s) is seen within the window until +4.75 s.
    expect(summary).toMatchObject({
      extended: true,
      ended: 'no-late-arrivals',
      missingAtEnd: 30,
      waitedMs: 4750,
    });
  });

  it('stops at max_drain while they are still arriving', () => {
    const arrived = (t: number): number => Math.floor((t - END) / 100);
    const summary = decideOver(drain(2500), (t) => ({ missing: 1000 - arrived(t), late: arrived(t) }));
    expect(summary).toMatchObject({
      extended: true,
      ended: 'max-reached',
      waitedMs: 2500,
      missingAtEnd: 975,
    });
  });

  it('ends at the grace without figures (no worker reported them)', () => {
    const d = drain();
    expect(d.decide(END + GRACE - 1)).toBeNull();
    expect(d.decide(END + GRACE)).toMatchObject({ extended: false, ended: 'nothing-missing' });
  });
});

describe('drainAfterPhases', () => {
  it('polls the figures, says once why it waits past the grace, and returns the summary', async () => {
    let now = END;
    const notes: string[] = [];
    let extended = 0;
    const summary = await drainAfterPhases(drain(), {
      now: () => now,
      sleepUntil: (atMs) => {
        now = atMs;
        return Promise.resolve();
      },
      figures: () => {
        const arrived = Math.min(50, Math.floor((now - END) / 40));
        return { missing: 50 - arrived, late: arrived };
      },
      note: (text) => notes.push(text),
      extended: () => extended++,
    });
    expect(summary).toMatchObject({ extended: true, ended: 'nothing-missing', waitedMs: 2000 });
    expect(notes).toHaveLength(1);
    expect(extended).toBe(1);
    expect(notes[0]).toMatch(
      /^grace over: 25 expected deliveries still missing, and still arriving late \(25 in the last 3 s\): waiting while they come, at most 4\.0 s after the last phase/,
    );
  });
});
