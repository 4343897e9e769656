/** RTCP receiver report (RFC 3550 6.4.2), one report block per call: what cameras expect to keep a session alive. */

export interface ReceptionState {
  /** SSRC of the camera's stream. */
  readonly ssrc: number;
  /** Highest sequence number received, extended with the wrap count (RFC 3550 A.1). */
  readonly extendedHighest: number;
  /** Packets expected but not received since the start. */
  readonly lost: number;
  /** Fraction lost since the previous report, 0..255 (fixed point /256). */
  readonly fractionLost: number;
}

const RTCP_VERSION = 2;
const PT_RECEIVER_REPORT = 201;

export function receiverReport(ourSsrc: number, r: ReceptionState): Uint8Array {
  const buf = new Uint8Array(32);
  const v = new DataView(buf.buffer);
  buf[0] = (RTCP_VERSION << 6) | 1; // one report block
  buf[1] = PT_RECEIVER_REPORT;
  v.setUint16(2, buf.length / 4 - 1); // length in 32-bit words minus one
  v.setUint32(4, ourSsrc >>> 0);
  v.setUint32(8, r.ssrc >>> 0);
  // Cumulative lost is a signed 24-bit field; clamp rather than wrap.
  const lost = Math.max(-0x800000, Math.min(0x7fffff, r.lost));
  v.setUint32(12, ((r.fractionLost & 0xff) << 24) | (lost & 0xffffff));
  v.setUint32(16, r.extendedHighest >>> 0);
  // Jitter, last SR and delay since last SR: zero is allowed when not measured (6.4.1).
  return buf;
}
