import { H265_NAL } from "../../codec/h265/nal.ts";
import { checkMtu, DEFAULT_MTU, type NalPayloadFormat, packetizeNals, type PacketizedPayload } from "../nal-packetizer.ts";

/** Two-byte NAL unit header (H.265 7.3.1.2): F(1) Type(6) LayerId(6) TID(3). */
const F_BIT = 0x80;
const LAYER_ID_HIGH_BIT = 0x01;
const TID_MASK = 0x07;

function layerId(nal: Uint8Array): number {
  return ((nal[0]! & LAYER_ID_HIGH_BIT) << 5) | (nal[1]! >> 3);
}

const FORMAT: NalPayloadFormat = {
  headerSize: 2,
  // RFC 7798 4.4.2: F is the OR of the units' F bits, LayerId and TID their lowest values.
  aggregationHeader(units) {
    let f = 0;
    let layer = 0x3f;
    let tid = TID_MASK;
    for (const u of units) {
      f |= u[0]! & F_BIT;
      layer = Math.min(layer, layerId(u));
      tid = Math.min(tid, u[1]! & TID_MASK);
    }
    return Uint8Array.of(f | (H265_NAL.AP << 1) | (layer >> 5), ((layer & 0x1f) << 3) | tid);
  },
  // RFC 7798 4.4.3: PayloadHdr is the NAL header with Type 49; the FU header carries the type.
  fragmentHeader(nal) {
    return {
      prefix: Uint8Array.of((nal[0]! & (F_BIT | LAYER_ID_HIGH_BIT)) | (H265_NAL.FU << 1), nal[1]!),
      type: (nal[0]! >> 1) & 0x3f,
    };
  },
};

/**
 * H.265 access units to RTP payloads (RFC 7798, no DONL): aggregation
 * packets for units that fit together, single NAL unit packets, FUs above
 * `mtu` (payload bytes, RTP header excluded).
 */
export class H265Packetizer {
  readonly mtu: number;

  constructor(mtu = DEFAULT_MTU) {
    this.mtu = checkMtu(FORMAT, mtu);
  }

  packetize(units: readonly Uint8Array[], timestamp: number): PacketizedPayload[] {
    return packetizeNals(FORMAT, this.mtu, units, timestamp);
  }
}
