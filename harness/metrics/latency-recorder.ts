/**
 * Latency histogram over HdrHistogram (hdr-histogram-js).
 *
 * Resolution choice: values are recorded in integer MICROSECONDS with 3 significant digits (relative
 * error <= 0.1%), i.e. millisecond figures with sub-millisecond precision; every figure is reported in
 * MILLISECONDS. Encoded histograms (`encode()`, summary.json) hold microseconds; `.hgrm` files are scaled
 * to milliseconds. The histogram auto-resizes, so no value is ever dropped for being too large.
 */
import {
  build,
  decodeFromCompressedBase64,
  encodeIntoCompressedBase64,
  type Histogram,
  type JsHistogram,
} from 'hdr-histogram-js';

/** Significant decimal digits kept by every latency histogram. */
export const SIGNIFICANT_DIGITS = 3;
/** Recorded units per reported millisecond (values are recorded in microseconds). */
export const UNITS_PER_MS = 1000;

/** Plain summary of a latency histogram, in milliseconds (all 0 when count is 0). */
export interface LatencySummary {
  count: number;
  min: number;
  mean: number;
  stddev: number;
  p50: number;
  p75: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
  p9999: number;
  max: number;
}

/** Counts per histogram bucket as [lowest value of the bucket in µs, count] pairs, for exact comparisons. */
export type HistogramBuckets = Array<[number, number]>;

/** The fields of hdr-histogram-js's JsHistogram that `fastCountsArrayIndex` reads (stable in 3.x). */
interface CountsLayout {
  readonly unitMagnitude: number;
  readonly subBucketHalfCountMagnitude: number;
  readonly subBucketHalfCount: number;
}

/**
 * JsHistogram.countsArrayIndex with integer arithmetic. The library computes it with Math.log2, Math.pow and
 * divisions, the main cost of recording a value (the harness records one or more per delivered message). The
 * formula is the library's; below 2^31 floor(log2(v)) is 31 - clz32(v) and v / 2^k is v >>> k. Larger values
 * (35 minutes in microseconds) take the library's own path.
 */
function fastCountsArrayIndex(
  this: CountsLayout & { slowIndex(value: number): number },
  value: number,
): number {
  if (value < 0 || value > 0x7fffffff) return this.slowIndex(value);
  const shift = this.unitMagnitude;
  const bucketIndex = Math.max(31 - Math.clz32(value) - this.subBucketHalfCountMagnitude - shift, 0);
  const subBucketIndex = value >>> (bucketIndex + shift);
  return ((bucketIndex + 1) << this.subBucketHalfCountMagnitude) + subBucketIndex - this.subBucketHalfCount;
}

/** Gives `histogram` the integer index computation (an own property shadowing the prototype's method). */
function withFastIndex(histogram: Histogram): Histogram {
  const target = histogram as unknown as {
    countsArrayIndex(value: number): number;
    slowIndex(value: number): number;
  };
  if (typeof target.countsArrayIndex !== 'function') return histogram; // not a JsHistogram: leave it
  target.slowIndex = target.countsArrayIndex;
  target.countsArrayIndex = fastCountsArrayIndex;
  return histogram;
}

/** Records latencies into an HdrHistogram in microseconds; reports milliseconds. */
export class LatencyRecorder {
  private readonly histogram: Histogram;
  /** Negative samples (clock steps) clamped to 0: kept visible rather than silently hidden. */
  private negative = 0;

  /** A new empty recorder (`packed` trades speed for memory; for many small histograms). */
  constructor(options: { packed?: boolean } = {}) {
    this.histogram = withFastIndex(
      build({
        numberOfSignificantValueDigits: SIGNIFICANT_DIGITS,
        bitBucketSize: options.packed ? 'packed' : 32,
        autoResize: true,
        lowestDiscernibleValue: 1,
        highestTrackableValue: 2,
      }),
    );
  }

  /** Rebuilds a recorder from `encode()` output. */
  static decode(encoded: string, options: { packed?: boolean } = {}): LatencyRecorder {
    const recorder = new LatencyRecorder(options);
    recorder.histogram.add(decodeFromCompressedBase64(encoded, options.packed ? 'packed' : 32));
    return recorder;
  }

  /** Records one latency given in milliseconds (fractions kept down to the microsecond). */
  recordMs(ms: number): void {
    this.recordMicros(ms * UNITS_PER_MS);
  }

  /** Records one latency given in microseconds. */
  recordMicros(micros: number): void {
    if (!Number.isFinite(micros)) return;
    if (micros < 0) {
      this.negative++;
      micros = 0;
    }
    this.histogram.recordValue(Math.round(micros));
  }

  /** Adds every sample of `other` (exact: bucket counts are summed). */
  add(other: LatencyRecorder): void {
    this.histogram.add(other.histogram);
    this.negative += other.negative;
  }

  /** Number of samples. */
  get count(): number {
    return this.histogram.totalCount;
  }

  /** Samples that were negative and recorded as 0. */
  get negativeClamped(): number {
    return this.negative;
  }

  /** Value at a percentile (0..100) in milliseconds; 0 when empty. */
  percentileMs(percentile: number): number {
    if (this.count === 0) return 0;
    return this.histogram.getValueAtPercentile(percentile) / UNITS_PER_MS;
  }

  /** Summary in milliseconds. */
  summary(): LatencySummary {
    const h = this.histogram;
    if (h.totalCount === 0) {
      return {
        count: 0,
        min: 0,
        mean: 0,
        stddev: 0,
        p50: 0,
        p75: 0,
        p90: 0,
        p95: 0,
        p99: 0,
        p999: 0,
        p9999: 0,
        max: 0,
      };
    }
    const at = (p: number): number => h.getValueAtPercentile(p) / UNITS_PER_MS;
    return {
      count: h.totalCount,
      min: at(0),
      mean: h.mean / UNITS_PER_MS,
      stddev: h.stdDeviation / UNITS_PER_MS,
      p50: at(50),
      p75: at(75),
      p90: at(90),
      p95: at(95),
      p99: at(99),
      p999: at(99.9),
      p9999: at(99.99),
      // From the buckets (not the raw max), so a decoded or merged histogram reports the same figure.
      max: at(100),
    };
  }

  /** Compressed base64 encoding (HdrHistogram V2 format, values in µs); decode with `LatencyRecorder.decode`. */
  encode(): string {
    return encodeIntoCompressedBase64(this.histogram);
  }

  /** HdrHistogram percentile distribution text (.hgrm), values in milliseconds. */
  percentileDistribution(ticksPerHalfDistance = 5): string {
    return this.histogram.outputPercentileDistribution(ticksPerHalfDistance, UNITS_PER_MS);
  }

  /** Non-empty buckets with their counts, in increasing value order. */
  buckets(): HistogramBuckets {
    const buckets: HistogramBuckets = [];
    const js = this.histogram as unknown as JsHistogram;
    const iterator = js.recordedValuesIterator;
    iterator.reset();
    while (iterator.hasNext()) {
      const value = iterator.next();
      buckets.push([js.lowestEquivalentValue(value.valueIteratedTo), value.countAtValueIteratedTo]);
    }
    return buckets;
  }

  /** Value in milliseconds at each requested percentile, for plotting. */
  percentilesMs(percentiles: readonly number[]): number[] {
    return percentiles.map((p) => this.percentileMs(p));
  }
}
