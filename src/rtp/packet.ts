import { ParseError } from "../core/errors.ts";

/** Fixed part of the RTP header (RFC 3550 5.1). */
export const RTP_HEADER_SIZE = 12;
/** The only RTP version in use (RFC 3550 5.1, "V"). */
export const RTP_VERSION = 2;
/** Each CSRC identifier is 32 bits (RFC 3550 5.1, "CSRC list"). */
const CSRC_SIZE = 4;
/** Extension header: 16-bit profile field and 16-bit length in 32-bit words (RFC 3550 5.3.1). */
const EXTENSION_HEADER_SIZE = 4;

/** One RTP packet; `payload` is a view over the received bytes, padding removed. */
export interface RtpPacket {
  marker: boolean;
  payloadType: number;
  sequence: number;
  timestamp: number;
  ssrc: number;
  payload: Uint8Array;
}

/**
 * Parses an RTP packet (RFC 3550 5.1). The CSRC list and a header extension
 * (5.3.1) are skipped; padding (the P bit, last byte = padding count) is removed.
 */
export function parseRtpPacket(buf: Uint8Array): RtpPacket {
  if (buf.length < RTP_HEADER_SIZE) {
    throw new ParseError(`RTP: packet of ${buf.length} bytes is shorter than the ${RTP_HEADER_SIZE}-byte header`);
  }
  const b0 = buf[0]!;
  const version = b0 >> 6;
  if (version !== RTP_VERSION) throw new ParseError(`RTP: version ${version}, expected ${RTP_VERSION}`);
  const padding = (b0 & 0x20) !== 0;
  const extension = (b0 & 0x10) !== 0;
  const csrcCount = b0 & 0x0f;
  const b1 = buf[1]!;
  let offset = RTP_HEADER_SIZE + csrcCount * CSRC_SIZE;
  if (offset > buf.length) throw new ParseError(`RTP: ${csrcCount} CSRCs do not fit in ${buf.length} bytes`);
  if (extension) {
    if (offset + EXTENSION_HEADER_SIZE > buf.length) throw new ParseError("RTP: header extension truncated");
    const words = (buf[offset + 2]! << 8) | buf[offset + 3]!;
    offset += EXTENSION_HEADER_SIZE + words * 4;
    if (offset > buf.length) throw new ParseError(`RTP: header extension of ${words} words overruns the packet`);
  }
  let end = buf.length;
  if (padding) {
    const count = buf[end - 1]!;
    // The count includes itself, so 0 is invalid (RFC 3550 5.1, "P").
    if (count === 0 || end - count < offset) throw new ParseError(`RTP: padding of ${count} bytes is invalid`);
    end -= count;
  }
  return {
    marker: (b1 & 0x80) !== 0,
    payloadType: b1 & 0x7f,
    sequence: (buf[2]! << 8) | buf[3]!,
    timestamp: ((buf[4]! << 24) | (buf[5]! << 16) | (buf[6]! << 8) | buf[7]!) >>> 0,
    ssrc: ((buf[8]! << 24) | (buf[9]! << 16) | (buf[10]! << 8) | buf[11]!) >>> 0,
    payload: buf.subarray(offset, end),
  };
}

/** Writes a packet with the 12-byte header: no CSRCs, no extension, no padding. */
export function writeRtpPacket(p: RtpPacket): Uint8Array {
  const out = new Uint8Array(RTP_HEADER_SIZE + p.payload.length);
  out[0] = RTP_VERSION << 6;
  out[1] = (p.marker ? 0x80 : 0) | (p.payloadType & 0x7f);
  const view = new DataView(out.buffer);
  view.setUint16(2, p.sequence & 0xffff);
  view.setUint32(4, p.timestamp >>> 0);
  view.setUint32(8, p.ssrc >>> 0);
  out.set(p.payload, RTP_HEADER_SIZE);
  return out;
}
