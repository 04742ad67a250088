import { describe, expect, it } from 'vitest';
import { ServerFrameReader, decodeServerDatagram } from '../../../harness/conformance/server-frame-reader.js';
import { encodeDatagram, encodeFrame } from '../../../spec/index.js';

function raw(code: number, payload: string, declared?: number): Uint8Array {
  const body = Buffer.from(payload);
  const out = Buffer.alloc(5 + body.length);
  out[0] = code;
  out.writeUInt32BE(declared ?? body.length, 1);
  body.copy(out, 5);
  return new Uint8Array(out);
}

describe('ServerFrameReader', () => {
  it('reassembles frames split at every byte', () => {
    const bytes = Buffer.concat([
      encodeFrame('Pong', { timestamp: 2n ** 60n }),
      encodeFrame('Goodbye', { reason: 'x' }),
    ]);
    const reader = new ServerFrameReader();
    const names: string[] = [];
    for (const byte of bytes) for (const f of reader.push(new Uint8Array([byte]))) names.push(f.name);
    expect(names).toEqual(['Pong', 'Goodbye']);
    expect(reader.end()).toBeNull();
  });

  it('keeps reading after an unknown type or an invalid payload, and reports both', () => {
    const reader = new ServerFrameReader();
    const frames = reader.push(
      new Uint8Array(
        Buffer.concat([
          raw(0x99, '{}'),
          raw(0x06, '{"timestamp":"x"}'),
          encodeFrame('Pong', { timestamp: 1 }),
        ]),
      ),
    );
    expect(frames.map((f) => [f.name, f.error === undefined])).toEqual([
      ['0x99', false],
      ['Pong', false],
      ['Pong', true],
    ]);
    expect(frames[1]!.error).toMatch(/Pong\.timestamp/);
  });

  it('loses framing on an oversize length, and reports a frame cut by FIN', () => {
    const oversize = new ServerFrameReader();
    expect(oversize.push(raw(0x30, '', 16 * 1024 * 1024 + 1))[0]!.framingLost).toBe(true);
    expect(oversize.push(encodeFrame('Pong', { timestamp: 1 }))).toEqual([]);
    const cut = new ServerFrameReader();
    cut.push(encodeFrame('Pong', { timestamp: 1 }).subarray(0, 7));
    expect(cut.end()?.error).toMatch(/stream ended inside a frame/);
  });
});

describe('decodeServerDatagram', () => {
  it('decodes one frame and rejects a length mismatch', () => {
    expect(decodeServerDatagram(encodeDatagram('Typing', { room_id: 1, user_id: 2 })).frame?.name).toBe(
      'Typing',
    );
    expect(decodeServerDatagram(raw(0x80, '{"room_id":1}', 99)).error).toMatch(/length field 99/);
  });
});
