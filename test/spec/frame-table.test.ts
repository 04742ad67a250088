import { describe, expect, it } from 'vitest';
import {
  CATEGORY_RANGES,
  FRAME_CODES,
  FRAME_TABLE,
  HOT_ROOM_HEADER_CODE,
  STREAM_KINDS,
  categoryOfCode,
  codesAllowedOn,
  describeCode,
  frameSpec,
  frameSpecByCode,
  frameSpecByName,
  isAllowedOn,
  isDatagramCode,
  isKnownFrameCode,
  streamKindForFirstFrame,
} from '../../spec/frame-table.js';
import { PAYLOAD_SCHEMAS } from '../../spec/payload-schemas.js';

const range = (first: number, last: number): number[] =>
  Array.from({ length: last - first + 1 }, (_, i) => first + i);

describe('frame table', () => {
  it('has one row per frame code, in code order, each in its category range', () => {
    expect(FRAME_TABLE.map((spec) => spec.name)).toEqual(Object.keys(FRAME_CODES));
    const codes = FRAME_TABLE.map((spec) => spec.code);
    expect(codes).toEqual([...codes].sort((a, b) => a - b));
    expect(new Set(codes).size).toBe(codes.length);
    for (const spec of FRAME_TABLE) {
      const categoryRange = CATEGORY_RANGES.find((r) => r.category === spec.category)!;
      expect(spec.code).toBeGreaterThanOrEqual(categoryRange.first);
      expect(spec.code).toBeLessThanOrEqual(categoryRange.last);
      expect(spec.schema).toBe(PAYLOAD_SCHEMAS[spec.name]);
      expect(spec.schema.name).toBe(spec.name);
      expect(spec.streams.length).toBeGreaterThan(0);
    }
  });

  it('category ranges do not overlap and match PROTOCOL.md 3', () => {
    expect(CATEGORY_RANGES.map((r) => [r.category, r.first, r.last])).toEqual([
      ['control', 0x00, 0x0f],
      ['chat-command', 0x10, 0x2f],
      ['room-message', 0x30, 0x4f],
      ['shard-management', 0x50, 0x5f],
      ['ack', 0x60, 0x6f],
      ['upload', 0x70, 0x7f],
      ['datagram', 0x80, 0x8f],
      ['error', 0xff, 0xff],
    ]);
    expect(categoryOfCode(0x90)).toBeUndefined();
    expect(categoryOfCode(0xfe)).toBeUndefined();
    expect(categoryOfCode(0x2f)).toBe('chat-command');
  });

  it('looks rows up by code and by name', () => {
    expect(frameSpecByCode(0x30)?.name).toBe('RoomMessage');
    expect(frameSpecByName('RoomMessage')?.code).toBe(0x30);
    expect(frameSpec('Error').code).toBe(0xff);
    expect(frameSpecByCode(0x18)).toBeUndefined();
    expect(frameSpecByName('Nope')).toBeUndefined();
    expect(isKnownFrameCode(0x84)).toBe(true);
    expect(isKnownFrameCode(0x85)).toBe(false);
    expect(describeCode(0x51)).toBe('RoomPromoted');
    expect(describeCode(0x0a)).toBe('0x0a');
  });

  it('classifies client uni streams by the range of their first frame', () => {
    for (let code = 0; code < 256; code++) {
      const expected =
        code >= 0x10 && code <= 0x2f
          ? 'chat-commands'
          : code >= 0x60 && code <= 0x6f
            ? 'acks'
            : code >= 0x70 && code <= 0x7f
              ? 'uploads'
              : undefined;
      expect(streamKindForFirstFrame(code), `0x${code.toString(16)}`).toBe(expected);
    }
  });

  it('allows exactly the frames of decisions.md "Streams" on each stream and direction', () => {
    expect(codesAllowedOn('control', 'client-to-server')).toEqual([0x00, 0x02, 0x05, 0x06, 0x08, 0x09]);
    expect(codesAllowedOn('control', 'server-to-client')).toEqual([
      0x01, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x50, 0x51, 0x52, 0x62, 0x74, 0xff,
    ]);
    expect(codesAllowedOn('chat-commands', 'client-to-server')).toEqual(range(0x10, 0x17));
    expect(codesAllowedOn('acks', 'client-to-server')).toEqual([0x60, 0x61]);
    expect(codesAllowedOn('uploads', 'client-to-server')).toEqual([0x70, 0x71, 0x72, 0x73]);
    expect(codesAllowedOn('shard', 'server-to-client')).toEqual(range(0x30, 0x38));
    expect(codesAllowedOn('hot-room', 'server-to-client')).toEqual([
      ...range(0x30, 0x38),
      HOT_ROOM_HEADER_CODE,
    ]);
    expect(codesAllowedOn('datagram', 'client-to-server')).toEqual(range(0x80, 0x84));
    expect(codesAllowedOn('datagram', 'server-to-client')).toEqual(range(0x80, 0x84));
    for (const kind of ['chat-commands', 'acks', 'uploads'] as const) {
      expect(codesAllowedOn(kind, 'server-to-client')).toEqual([]);
    }
    for (const kind of ['shard', 'hot-room'] as const)
      expect(codesAllowedOn(kind, 'client-to-server')).toEqual([]);
  });

  it('isAllowedOn rejects unknown codes, wrong directions and wrong streams', () => {
    expect(isAllowedOn(0x10, 'chat-commands', 'client-to-server')).toBe(true);
    expect(isAllowedOn(0x10, 'chat-commands', 'server-to-client')).toBe(false);
    expect(isAllowedOn(0x62, 'acks', 'client-to-server')).toBe(false);
    expect(isAllowedOn(0x30, 'control', 'server-to-client')).toBe(false);
    expect(isAllowedOn(0x18, 'chat-commands', 'client-to-server')).toBe(false);
    for (const kind of STREAM_KINDS) expect(isAllowedOn(0xff, kind, 'client-to-server')).toBe(false);
  });

  it('only datagram-category codes may be datagrams', () => {
    expect(FRAME_TABLE.filter((spec) => isDatagramCode(spec.code)).map((spec) => spec.name)).toEqual([
      'Typing',
      'StopTyping',
      'PresenceOnline',
      'PresenceOffline',
      'PresenceAway',
    ]);
  });
});
