/**
 * spec/rule-levels.ts classifies exactly the rules PROTOCOL.md marks "(our decision)" (in the rule's text, its
 * table row, or its section's introduction), so the document stays the source of the levels.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DECIDED_DETAILS, REFERENCE_RULES, ruleLevel } from '../../spec/rule-levels.js';

const PROTOCOL = readFileSync(new URL('../../spec/PROTOCOL.md', import.meta.url), 'utf8');
const RULE_ID = /\*\*\[([0-9.]+\/[a-z0-9-]+)\]\*\*/g;
const MARK = /\(our decision/;
const WHOLE_SECTION_MARK = /this whole section is our decision/;

/** Each rule defined in the body of PROTOCOL.md with the text that states it, and whether it is marked. */
function definedRules(): Map<string, boolean> {
  const body = PROTOCOL.slice(0, PROTOCOL.indexOf('## Rule index'));
  const rules = new Map<string, boolean>();
  // Sections by heading: a section whose introduction says the whole section is our decision marks every rule.
  for (const section of body.split(/\n(?=#{2,3} )/)) {
    const firstRule = section.search(RULE_ID);
    const wholeSection = firstRule >= 0 && WHOLE_SECTION_MARK.test(section.slice(0, firstRule));
    const matches = [...section.matchAll(RULE_ID)];
    for (const [i, match] of matches.entries()) {
      const start = match.index;
      const lineStart = section.lastIndexOf('\n', start) + 1;
      // A table row ends at its line; a paragraph at the blank line; either at the next rule id.
      let end = section.indexOf(section[lineStart] === '|' ? '\n' : '\n\n', start);
      if (end < 0) end = section.length;
      const next = matches[i + 1]?.index;
      if (next !== undefined && next < end) end = next;
      rules.set(match[1]!, wholeSection || MARK.test(section.slice(start, end)));
    }
  }
  return rules;
}

describe('rule levels', () => {
  const rules = definedRules();

  it('finds the rules of PROTOCOL.md', () => {
    expect(rules.size).toBeGreaterThan(150);
    expect(rules.get('6.2/hello-ack')).toBe(false);
    expect(rules.get('5/extra-bidi')).toBe(true);
    expect(rules.get('13/chunk-max')).toBe(true); // by its section's introduction
  });

  it('classifies every marked rule, and only marked rules', () => {
    const classified = [...REFERENCE_RULES, ...Object.keys(DECIDED_DETAILS)];
    expect(new Set(classified).size, 'a rule classified twice').toBe(classified.length);
    const marked = [...rules].filter(([, isMarked]) => isMarked).map(([id]) => id);
    expect([...classified].sort()).toEqual([...marked].sort());
  });

  it('derives the level: reference for rules decided as a whole, protocol otherwise', () => {
    expect(ruleLevel('6.2/hello-ack')).toBe('protocol');
    expect(ruleLevel('8/fan-out')).toBe('protocol');
    expect(ruleLevel('6.2/hello-version')).toBe('reference');
    expect(ruleLevel('14/unknown-type')).toBe('reference');
    expect(ruleLevel('14/declared-error')).toBe('protocol');
  });
});
