/**
 * Seeded pseudo-random numbers (sfc32), so a scenario with the same seed produces the same plan.
 * Independent streams are derived by label (`SeededRandom.derive(seed, "membership")`), so adding draws
 * to one concern never shifts the numbers another concern sees.
 */

/** A deterministic random number generator. */
export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** Generator for the stream `label` of scenario seed `seed`. */
  static derive(seed: number, label: string): SeededRandom {
    return new SeededRandom(seed, label);
  }

  constructor(seed: number, label = '') {
    // splitmix32 expands (seed, hash(label)) into the four sfc32 state words.
    let state = (seed ^ fnv1a32(label)) >>> 0;
    const splitmix = (): number => {
      state = (state + 0x9e3779b9) >>> 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
      z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
      return (z ^ (z >>> 15)) >>> 0;
    };
    this.a = splitmix();
    this.b = splitmix();
    this.c = splitmix();
    this.d = splitmix();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** Next unsigned 32-bit integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform float in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Uniform integer in [min, max] (inclusive). */
  intBetween(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  /** Exponentially distributed value with the given mean (gaps of a Poisson process). */
  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  /** Normally distributed value (Box-Muller). */
  normal(mean: number, stddev: number): number {
    const u = 1 - this.next();
    const v = this.next();
    return mean + stddev * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Shuffles `items` in place (Fisher-Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j] as T, items[i] as T];
    }
    return items;
  }

  /** `k` distinct integers from [0, n), in increasing order (Floyd's algorithm). */
  sampleDistinct(n: number, k: number): number[] {
    if (k > n) throw new RangeError(`cannot draw ${k} distinct values from ${n}`);
    const chosen = new Set<number>();
    for (let j = n - k; j < n; j++) {
      const t = this.int(j + 1);
      chosen.add(chosen.has(t) ? j : t);
    }
    return [...chosen].sort((x, y) => x - y);
  }
}

/** FNV-1a 32-bit hash of a string (derives stream seeds from labels). */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * A uniform number in [0, 1) fixed by `seed` and two integers (e.g. a client index and a message id), without
 * generator state: the same inputs give the same number in any worker and in any order of calls, so per-event
 * choices (which delivery gets a receipt) are reproducible however the events interleave. Integers up to 2^53
 * are used whole.
 */
export function hashUnit(seed: number, a: number, b: number): number {
  let h = mix32(seed >>> 0);
  h = mix32(h ^ (a >>> 0));
  h = mix32(h ^ (b >>> 0));
  h = mix32(h ^ (Math.floor(b / 4294967296) >>> 0));
  return h / 4294967296;
}

/** One step of hashUnit: an odd-constant offset (so 0 does not map to 0), then murmur3's finalizer. */
function mix32(value: number): number {
  let h = (value + 0x9e3779b9) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
