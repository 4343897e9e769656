import { H264_NAL, h264NalType } from "../../codec/h264/nal.ts";
import { checkMtu, DEFAULT_MTU, type NalPayloadFormat, packetizeNals, type PacketizedPayload } from "../nal-packetizer.ts";

/** forbidden_zero_bit and nal_ref_idc of a NAL header (H.264 7.3.1). */
const F_BIT = 0x80;
const NRI_MASK = 0x60;

const FORMAT: NalPayloadFormat = {
  headerSize: 1,
  // RFC 6184 5.7.1: F is the OR of the units' F bits, NRI their maximum.
  aggregationHeader(units) {
    let f = 0;
    let nri = 0;
    for (const u of units) {
      f |= u[0]! & F_BIT;
      nri = Math.max(nri, u[0]! & NRI_MASK);
    }
    return Uint8Array.of(f | nri | H264_NAL.STAP_A);
  },
  // RFC 6184 5.8: the FU indicator keeps F and NRI; the FU header carries the type.
  fragmentHeader(nal) {
    return { prefix: Uint8Array.of((nal[0]! & (F_BIT | NRI_MASK)) | H264_NAL.FU_A), type: h264NalType(nal) };
  },
};

/**
 * H.264 access units to RTP payloads (RFC 6184, packetization-mode=1):
 * STAP-A for units that fit together, single NAL unit packets, FU-A above
 * `mtu` (payload bytes, RTP header excluded).
 */
export class H264Packetizer {
  readonly mtu: number;

  constructor(mtu = DEFAULT_MTU) {
    this.mtu = checkMtu(FORMAT, mtu);
  }

  packetize(units: readonly Uint8Array[], timestamp: number): PacketizedPayload[] {
    return packetizeNals(FORMAT, this.mtu, units, timestamp);
  }
}
