import { describe, expect, expectTypeOf, it } from 'vitest';
import { FRAME_CODES, type FrameName } from '../../spec/frame-table.js';
import type { FramePayloads } from '../../spec/messages.js';
import { PAYLOAD_SCHEMAS, type PayloadSchemas } from '../../spec/payload-schemas.js';
import type { Infer } from '../../spec/schema.js';

/** The payload type the schema data describes, per frame name. */
type SchemaPayloads = { [N in FrameName]: Infer<PayloadSchemas[N]> };

describe('messages.ts mirrors payload-schemas.ts', () => {
  it('every hand-written payload interface equals the type inferred from its schema (checked by tsc)', () => {
    // A field added to, removed from or retyped in one side only breaks `npm run typecheck`.
    expectTypeOf<FramePayloads>().toEqualTypeOf<SchemaPayloads>();
    expectTypeOf<FramePayloads['RoomMessage']>().toEqualTypeOf<SchemaPayloads['RoomMessage']>();
    expectTypeOf<FramePayloads['HelloAck']>().toEqualTypeOf<SchemaPayloads['HelloAck']>();
  });

  it('every frame name has exactly one schema and one code', () => {
    expect(Object.keys(PAYLOAD_SCHEMAS).sort()).toEqual(Object.keys(FRAME_CODES).sort());
  });
});
