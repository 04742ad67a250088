import { describe, expect, it } from 'vitest';
import { exceedsJsonDepth } from '../../spec/json-depth.js';

describe('exceedsJsonDepth', () => {
  it('counts arrays and objects, not brackets inside strings (escaped quotes included)', () => {
    expect(exceedsJsonDepth('[[[]]]', 3)).toBe(false);
    expect(exceedsJsonDepth('[[[[]]]]', 3)).toBe(true);
    expect(exceedsJsonDepth('{"a":{"b":{"c":{}}}}', 3)).toBe(true);
    expect(exceedsJsonDepth('["[[[[", "\\"[[[[", "\\\\", [[]]]', 3)).toBe(false);
    expect(exceedsJsonDepth('["\\\\", [[[]]]]', 3)).toBe(true);
  });

  it('sibling containers do not add up, and an unterminated string ends the scan', () => {
    expect(exceedsJsonDepth('[[],[],[],[],[]]', 2)).toBe(false);
    expect(exceedsJsonDepth('["[[[[[[', 2)).toBe(false);
  });
});
