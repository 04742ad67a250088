/**
 * JUnit XML documents, as CI systems read them, written by junit-report-builder (XML escaping and the characters
 * XML 1.0 cannot carry are its job, not ours). `garou-bench compare --junit` and `garou-bench conformance
 * --junit` describe their results as plain suites and cases and render them here.
 */
import junitReportBuilderModule, { type Builder } from 'junit-report-builder';

// The package is CommonJS (`module.exports = builder`) but its types declare `export default`: under NodeNext
// TypeScript sees the default import as the module object, while Node hands us the builder itself.
const junitReportBuilder = junitReportBuilderModule as unknown as Builder;

/** One <testcase>. */
export interface JunitCase {
  classname: string;
  name: string;
  /** Duration in seconds. */
  timeSeconds: number;
  failure?: { message: string; type: string; details: string };
  /** Reason of a skipped case (JUnit's <skipped/> carries none here: it is written to <system-out>). */
  skipped?: string;
  systemOut?: string;
}

/** One <testsuite>. */
export interface JunitSuite {
  name: string;
  /** ISO 8601 without a zone, e.g. 2025-01-02T03:04:05 (UTC). */
  timestamp: string;
  timeSeconds: number;
  properties?: ReadonlyArray<readonly [string, string]>;
  cases: readonly JunitCase[];
}

/** A timestamp as JUnit writes it (UTC, seconds, no zone). */
export function junitTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, '');
}

/** Renders the document: <testsuites name> with one <testsuite> per suite; counts are computed by the library. */
export function renderJunit(name: string, suites: readonly JunitSuite[]): string {
  const builder = junitReportBuilder.newBuilder().name(name);
  for (const suite of suites) {
    const testSuite = builder.testSuite().name(suite.name).timestamp(suite.timestamp).time(suite.timeSeconds);
    for (const [key, value] of suite.properties ?? []) testSuite.property(key, value);
    for (const c of suite.cases) {
      const testCase = testSuite.testCase().className(c.classname).name(c.name).time(c.timeSeconds);
      if (c.failure) testCase.failure(c.failure.message, c.failure.type).stacktrace(c.failure.details);
      const out = [
        ...(c.skipped === undefined ? [] : [`skipped: ${c.skipped}`]),
        ...(c.systemOut ? [c.systemOut] : []),
      ];
      if (c.skipped !== undefined) testCase.skipped();
      if (out.length > 0) testCase.standardOutput(out.join('\n'));
    }
  }
  return `${builder.build()}\n`;
}
