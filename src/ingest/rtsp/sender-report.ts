/** What an RTCP sender report says (RFC 3550 6.4.1): this RTP timestamp was sampled at this wall-clock time. */
export interface SenderReport {
  readonly ssrc: number;
  /** NTP time in seconds (since 1900; only differences matter). */
  readonly ntp: number;
  readonly rtpTimestamp: number;
}

const PT_SENDER_REPORT = 200;
/** 2^32: the NTP fraction's denominator. */
const NTP_FRACTION = 0x1_0000_0000;

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
