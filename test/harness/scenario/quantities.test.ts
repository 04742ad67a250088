import { describe, expect, it } from 'vitest';
import {
  BYTE_SIZE_PATTERN,
  DURATION_PATTERN,
  formatDuration,
  parseByteSize,
  parseDuration,
  parseRate,
  QuantitySyntaxError,
  RATE_PATTERN,
} from '../../../harness/scenario/quantities.js';
import { SCENARIO_SCHEMA } from '../../../harness/scenario/schema.js';

describe('parseDuration', () => {
  it.each([
    ['30s', 30_000],
    ['500ms', 500],
    ['2m', 120_000],
    ['1m30s', 90_000],
    ['1.5s', 1500],
    ['1h', 3_600_000],
    ['250us', 0.25],
    ['800µs', 0.8],
    ['2s500ms', 2500],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBeCloseTo(ms, 9);
  });

  it.each(['30', '30 s', '30 secs', 's', '-5s', '', '1.s', 30])(
    'rejects %j with what it expected',
    (text) => {
      expect(() => parseDuration(text)).toThrow(QuantitySyntaxError);
      expect(() => parseDuration(text)).toThrow(/expected a duration like "30s"/);
    },
  );
});

describe('parseRate', () => {
  it.each([
    [150, 150],
    ['150/s', 150],
    ['150 / sec', 150],
    ['600/m', 10],
    ['600/min', 10],
    ['7200/h', 2],
    ['0.5/s', 0.5],
  ])('%j is %d per second', (value, perSecond) => {
    expect(parseRate(value)).toBeCloseTo(perSecond, 9);
  });

  it.each(['150', '150/d', 'fast', -1, Number.NaN, '/s'])('rejects %j', (value) => {
    expect(() => parseRate(value)).toThrow(QuantitySyntaxError);
  });
});

describe('parseByteSize', () => {
  it.each([
    [1024, 1024],
    ['1024', 1024],
    ['64KiB', 65_536],
    ['64KB', 64_000],
    ['1MiB', 1_048_576],
    ['1.5MB', 1_500_000],
    ['2 GiB', 2 * 1024 ** 3],
  ])('%j is %d bytes', (value, bytes) => {
    expect(parseByteSize(value)).toBe(bytes);
  });

  it('rounds fractional byte counts to whole bytes', () => {
    expect(parseByteSize('1.6')).toBe(2);
  });

  it.each(['64kib', 1.5, -3, 'lots', '5 MiBs'])('rejects %j', (value) => {
    expect(() => parseByteSize(value)).toThrow(QuantitySyntaxError);
  });
});

describe('formatDuration', () => {
  it.each([
    [0.5, '500µs'],
    [2.345, '2.35ms'],
    [250, '250ms'],
    [1500, '1.5s'],
    [125_000, '2m05s'],
  ])('%d ms reads %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('schema and parser agree on literal syntax', () => {
  const definitions = SCENARIO_SCHEMA.definitions as Record<string, { pattern: string }>;
  it('uses the same patterns', () => {
    expect(definitions.duration?.pattern).toBe(DURATION_PATTERN);
    expect(definitions.rate?.pattern).toBe(RATE_PATTERN);
    expect(definitions.byteSize?.pattern).toBe(BYTE_SIZE_PATTERN);
  });
});
