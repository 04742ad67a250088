/**
 * Fresh random connection ids for new connections, cut from a pool that one CSPRNG call fills for many ids: a
 * `randomBytes` call per id (a native call, a job object and a buffer each) cost the harness ~1% of its CPU per
 * connect during a connect ramp.
 */
import { randomFillSync } from 'node:crypto';
import { CID_LENGTH } from './packet-header.js';

/** Ids per pool fill. */
const IDS_PER_FILL = 256;

let pool = Buffer.alloc(0);
let offset = 0;

/** A new random connection id of CID_LENGTH bytes (its own memory: a later id never overwrites it). */
export function newConnectionId(): Buffer {
  if (offset + CID_LENGTH > pool.length) {
    // A new pool each time, not a refill: the ids already handed out are views of the old one.
    pool = randomFillSync(Buffer.allocUnsafeSlow(CID_LENGTH * IDS_PER_FILL));
    offset = 0;
  }
  const id = pool.subarray(offset, offset + CID_LENGTH);
  offset += CID_LENGTH;
  return id;
}
