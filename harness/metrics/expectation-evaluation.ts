/** Evaluates hot-room expectations ("viral promoted during surge") against a run result's events. */
import { formatDuration } from '../scenario/quantities.js';
import type { RoomPlan } from '../scenario/membership.js';
import type { Expectation } from '../scenario/types.js';
import type { ExpectationResult } from './check-outcomes.js';
import type { RunResult } from './run-result.js';

export type { ExpectationResult } from './check-outcomes.js';

/** Evaluates every expectation against the events of `result`. */
export function evaluateExpectations(
  expectations: readonly Expectation[],
  result: Pick<RunResult, 'events' | 'phases' | 'durationMs'>,
  plan: RoomPlan,
): ExpectationResult[] {
  return expectations.map((expectation) => {
    const line = expectation.source.line;
    const room = plan.resolve(expectation.room)[0];
    if (!room)
      return { text: expectation.text, passed: false, actual: 'room not in plan', atOffsetMs: null, line };
    const phase =
      expectation.phase === undefined ? undefined : result.phases.find((p) => p.name === expectation.phase);
    if (expectation.phase !== undefined && !phase) {
      return {
        text: expectation.text,
        passed: false,
        actual: `phase "${expectation.phase}" not in result`,
        atOffsetMs: null,
        line,
      };
    }
    const from = phase ? phase.startOffsetMs : 0;
    const to = phase ? phase.startOffsetMs + phase.durationMs : Infinity;
    const roomEvents = result.events.filter((e) => e.roomId === room.id && e.type === expectation.event);
    const match = roomEvents.find((e) => e.offsetMs >= from && e.offsetMs < to);
    const where = phase ? `during ${phase.name}` : 'during the run';
    if (!match) {
      const elsewhere = roomEvents.map(
        (e) => `+${formatDuration(e.offsetMs)}${e.phase ? ` in ${e.phase}` : ''}`,
      );
      return {
        text: expectation.text,
        passed: false,
        actual:
          `not ${expectation.event} ${where}` +
          (elsewhere.length ? ` (${expectation.event} at ${elsewhere.join(', ')})` : ''),
        atOffsetMs: null,
        line,
      };
    }
    const into = match.offsetMs - from;
    const inTime = expectation.withinMs === undefined || into <= expectation.withinMs;
    return {
      text: expectation.text,
      passed: inTime,
      actual:
        `${expectation.event} at +${formatDuration(match.offsetMs)}` +
        (phase ? ` (${formatDuration(into)} into ${phase.name})` : '') +
        (inTime ? '' : `, later than ${formatDuration(expectation.withinMs as number)}`),
      atOffsetMs: match.offsetMs,
      line,
    };
  });
}
