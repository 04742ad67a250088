/**
 * Just enough QUIC header parsing (RFC 9000 §17) to route a datagram by its destination
 * connection id without asking quiche to build a Header object for every packet.
 */

/** Length of every connection id this transport issues. Short headers carry no length. */
export const CID_LENGTH = 20;

/** Whether the first packet of the datagram has a long header (handshake packets). */
export function isLongHeader(data: Buffer): boolean {
  return data.length > 0 && ((data[0] as number) & 0x80) !== 0;
}

/**
 * The destination connection id of the first packet in `data` as a map key (one char per
 * byte), or null when the datagram cannot be a QUIC packet.
 */
export function destinationCidKey(data: Buffer): string | null {
  const first = data[0];
  if (first === undefined) return null;
  if ((first & 0x80) === 0) {
    // Short header: the dcid is one we issued, so its length is CID_LENGTH.
    if (data.length < 1 + CID_LENGTH) return null;
    return data.toString('latin1', 1, 1 + CID_LENGTH);
  }
  // Long header: flags(1) version(4) dcid_len(1) dcid(..)
  if (data.length < 7) return null;
  const dcidLength = data[5] as number;
  if (dcidLength > 20 || data.length < 6 + dcidLength) return null;
  return data.toString('latin1', 6, 6 + dcidLength);
}

/** Map key of a connection id held as bytes (same encoding as {@link destinationCidKey}). */
export function cidKey(cid: Uint8Array): string {
  return Buffer.from(cid.buffer, cid.byteOffset, cid.byteLength).toString('latin1');
}
