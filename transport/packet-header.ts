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

/**
 * Where a leading Handshake packet ends in a datagram of `length` bytes at `offset`, when other packets are
 * coalesced behind it; -1 otherwise (not a Handshake packet, nothing behind it, or malformed).
 *
 * Why: a client sends Handshake packets (acks, a repeated Finished) until HANDSHAKE_DONE arrives, and quiche
 * coalesces its 1-RTT packets behind them. The server has dropped its Handshake keys by then, and quiche stops
 * at the first packet of a datagram it cannot decrypt, discarding the 1-RTT packet behind it too: the first
 * stream data, datagrams or CONNECTION_CLOSE of a fresh connection were lost and had to wait for a
 * retransmission (a CONNECTION_CLOSE never arrived). Sent as separate datagrams, only the Handshake packet is
 * dropped. Initial packets are never split off: their datagram must stay padded to 1200 bytes.
 */
export function coalescedHandshakeEnd(data: Buffer, offset: number, length: number): number {
  const end = offset + length;
  const first = data[offset];
  // Long header, fixed bit, type 2 (Handshake) in QUIC v1: 0b1110_xxxx.
  if (first === undefined || (first & 0xf0) !== 0xe0 || length < 7) return -1;
  // Version 0 is Version Negotiation, whose first byte's low bits are random (RFC 9000 §17.2.1): one in eight of them
  // look like a Handshake packet, but it has no Length field and must leave whole.
  if (data.readUInt32BE(offset + 1) === 0) return -1;
  let at = offset + 5;
  const dcidLength = data[at] as number;
  at += 1 + dcidLength;
  if (at >= end) return -1;
  const scidLength = data[at] as number;
  at += 1 + scidLength;
  if (at >= end) return -1;
  // Length: a variable-length integer (RFC 9000 §16) covering packet number and payload.
  const prefix = (data[at] as number) >> 6;
  const size = 1 << prefix;
  if (at + size > end) return -1;
  let packetLength = (data[at] as number) & 0x3f;
  for (let i = 1; i < size; i++) packetLength = packetLength * 256 + (data[at + i] as number);
  const packetEnd = at + size + packetLength;
  return packetEnd < end ? packetEnd - offset : -1;
}
