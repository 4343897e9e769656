import { AAC_FRAME_SAMPLES } from "../../codec/aac/config.ts";
import { ConfigError, ParseError } from "../../core/errors.ts";
import { DEFAULT_MTU, type PacketizedPayload } from "../nal-packetizer.ts";
import { type AuHeaderLayout, auHeadersSize, writeAuHeaders } from "./au-headers.ts";

/** AAC-hbr's AU-header (RFC 3640 3.3.6): 13-bit AU-size, 3-bit AU-Index / AU-Index-delta. */
export const AAC_HBR_LAYOUT: AuHeaderLayout = { sizeLength: 13, indexLength: 3, indexDeltaLength: 3 };
/** Largest AU a 13-bit AU-size can describe (RFC 3640 3.3.6: 8191 octets). */
const MAX_AU_SIZE = (1 << AAC_HBR_LAYOUT.sizeLength) - 1;
/** A fragment packet: AU-headers-length, one 16-bit AU-header, at least one byte. */
const LEAST_MTU = auHeadersSize(1, AAC_HBR_LAYOUT) + 1;

/**
 * AAC frames to RTP payloads, RFC 3640 mode AAC-hbr: as many whole frames
 * per packet as fit in `mtu`; a frame too big for one packet is sent in
 * fragments (3.2.3). The marker bit is set on every packet that ends an AU.
 * Frames given together are consecutive, 1024 samples apart.
 */
export class AacPacketizer {
  readonly mtu: number;

  constructor(mtu = DEFAULT_MTU) {
    if (!Number.isInteger(mtu) || mtu < LEAST_MTU) throw new ConfigError(`RTP: payload size ${mtu} is below ${LEAST_MTU} bytes`);
    this.mtu = mtu;
  }

  packetize(frames: readonly Uint8Array[], timestamp: number): PacketizedPayload[] {
    const out: PacketizedPayload[] = [];
    let group: Uint8Array[] = [];
    let groupStart = 0;
    let groupBytes = 0;
    const flush = (): void => {
      if (group.length > 0) out.push(this.packet(group, group.map((f) => f.length), (timestamp + groupStart * AAC_FRAME_SAMPLES) >>> 0, true));
      group = [];
      groupBytes = 0;
    };
    frames.forEach((frame, i) => {
      if (frame.length > MAX_AU_SIZE) throw new ParseError(`AAC frame of ${frame.length} bytes exceeds the ${MAX_AU_SIZE}-byte AAC-hbr AU-size`);
      const ts = (timestamp + i * AAC_FRAME_SAMPLES) >>> 0;
      if (auHeadersSize(1, AAC_HBR_LAYOUT) + frame.length > this.mtu) {
        flush();
        this.fragments(frame, ts, out);
        return;
      }
      if (group.length > 0 && auHeadersSize(group.length + 1, AAC_HBR_LAYOUT) + groupBytes + frame.length > this.mtu) flush();
      if (group.length === 0) groupStart = i;
      group.push(frame);
      groupBytes += frame.length;
    });
    flush();
    return out;
  }

  private fragments(frame: Uint8Array, timestamp: number, out: PacketizedPayload[]): void {
    const chunk = this.mtu - auHeadersSize(1, AAC_HBR_LAYOUT);
    for (let at = 0; at < frame.length; at += chunk) {
      out.push(this.packet([frame.subarray(at, at + chunk)], [frame.length], timestamp, at + chunk >= frame.length));
    }
  }

  private packet(pieces: readonly Uint8Array[], sizes: readonly number[], timestamp: number, marker: boolean): PacketizedPayload {
    let bytes = auHeadersSize(sizes.length, AAC_HBR_LAYOUT);
    for (const p of pieces) bytes += p.length;
    const payload = new Uint8Array(bytes);
    let at = writeAuHeaders(sizes, AAC_HBR_LAYOUT, payload);
    for (const p of pieces) {
      payload.set(p, at);
      at += p.length;
    }
    return { payload, marker, timestamp };
  }
}
