/**
 * How a conformance check reports its verdict: it throws `CheckFailed` (expected vs actual) or `CheckSkipped`
 * (with a reason). The probe connection and the check context throw these too, so they live apart from the
 * check's definition (check.ts) that refers to the context.
 */

/** A check's verdict when it saw something other than the spec's answer. */
export class CheckFailed extends Error {
  constructor(
    /** What the spec requires, in words. */
    readonly expected: string,
    /** What the server did. */
    readonly actual: string,
  ) {
    super(`expected ${expected}; saw ${actual}`);
    this.name = 'CheckFailed';
  }
}

/** A check that cannot run (a precondition does not hold); never counts as a pass. */
export class CheckSkipped extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'CheckSkipped';
  }
}

/** Fails the current check. */
export function fail(expected: string, actual: string): never {
  throw new CheckFailed(expected, actual);
}

/** Skips the current check. */
export function skip(reason: string): never {
  throw new CheckSkipped(reason);
}

/** Fails with `expected` / `actual()` unless `condition` holds. */
export function ensure(
  condition: boolean,
  expected: string,
  actual: string | (() => string),
): asserts condition {
  if (!condition) fail(expected, typeof actual === 'string' ? actual : actual());
}
