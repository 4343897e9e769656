/** What an RTCP sender report says (RFC 3550 6.4.1): this RTP timestamp was sampled at this wall-clock time. */
export interface SenderReport {
  readonly ssrc: number;
  /** NTP time in seconds (since 1900). */
  readonly ntp: number;
  readonly rtpTimestamp: number;
}

const PT_SENDER_REPORT = 200;
/** 2^32: the NTP fraction's denominator. */
const NTP_FRACTION = 0x1_0000_0000;
/** Seconds from 1900 (NTP) to 1970 (Unix) (RFC 3550 4). */
const NTP_UNIX_OFFSET = 2_208_988_800;

/** NTP time now, in seconds. */
export function ntpNow(): number {
  return Date.now() / 1000 + NTP_UNIX_OFFSET;
}

/** A sender report without report blocks (we send, we do not receive, on that SSRC). */
export function writeSenderReport(sr: SenderReport & { readonly packets: number; readonly octets: number }): Uint8Array {
  const b = new Uint8Array(28);
  const v = new DataView(b.buffer);
  b[0] = 0x80; // version 2, no padding, no report blocks
  b[1] = PT_SENDER_REPORT;
  v.setUint16(2, b.length / 4 - 1);
  v.setUint32(4, sr.ssrc >>> 0);
  v.setUint32(8, Math.floor(sr.ntp) >>> 0);
  v.setUint32(12, Math.floor((sr.ntp % 1) * NTP_FRACTION) >>> 0);
  v.setUint32(16, sr.rtpTimestamp >>> 0);
  v.setUint32(20, sr.packets >>> 0);
  v.setUint32(24, sr.octets >>> 0);
  return b;
}

/** The sender reports in a compound RTCP packet; anything malformed ends the walk quietly. */
export function readSenderReports(packet: Uint8Array): SenderReport[] {
  const out: SenderReport[] = [];
  const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  let offset = 0;
  while (offset + 4 <= packet.byteLength) {
    if (packet[offset] >> 6 !== 2) break;
    const length = (view.getUint16(offset + 2) + 1) * 4;
    if (offset + length > packet.byteLength) break;
    if (packet[offset + 1] === PT_SENDER_REPORT && length >= 28) {
      out.push({
        ssrc: view.getUint32(offset + 4),
        ntp: view.getUint32(offset + 8) + view.getUint32(offset + 12) / NTP_FRACTION,
        rtpTimestamp: view.getUint32(offset + 16),
      });
    }
    offset += length;
  }
  return out;
}
