/** The columns of the correctness table, shared by the console summary and report.html. */
import type { DeliveryCounts } from '../metrics/delivery-counts.js';
import { formatCount } from './format.js';

const COLUMNS: ReadonlyArray<readonly [head: string, value: (d: DeliveryCounts) => number]> = [
  ['expected', (d) => d.expected],
  ['seen', (d) => d.seen],
  ['loss', (d) => d.loss],
  ['duplicates', (d) => d.duplicates],
  ['reorders', (d) => d.reorders],
  ['late', (d) => d.late],
  ['unexpected', (d) => d.unexpected],
  ['optional', (d) => d.optional],
  // Results of older versions lack it.
  ['of ack t/o', (d) => d.ackTimedOutDeliveries ?? 0],
];

function columns(withOptional: boolean) {
  return withOptional ? COLUMNS : COLUMNS.filter(([head]) => head !== 'optional');
}

/** The column heads (`optional` only where the table has room to explain it). */
export function correctnessHead(withOptional: boolean): string[] {
  return columns(withOptional).map(([head]) => head);
}

/** The figures of a room (or of all rooms), formatted, in the order of `correctnessHead`. */
export function correctnessCells(d: DeliveryCounts, withOptional: boolean): string[] {
  return columns(withOptional).map(([, value]) => formatCount(value(d)));
}
