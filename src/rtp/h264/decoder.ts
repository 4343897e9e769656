import { H264_NAL, h264NalType, isH264Keyframe } from "../../codec/h264/nal.ts";
import { ParseError } from "../../core/errors.ts";
import type { NalRules } from "../frame-assembler.ts";
import { NO_HEAD } from "../fragment-buffer.ts";
import { NalDepacketizer, readAggregated } from "../nal-depacketizer.ts";

/** FU-A header bits (RFC 6184 5.8): S, E, and the original nal_unit_type. */
const FU_START = 0x80;
const FU_END = 0x40;
const FU_TYPE_MASK = 0x1f;
/** F and NRI bits of the FU indicator, kept in the rebuilt NAL header (RFC 6184 5.8). */
const FU_INDICATOR_KEEP = 0xe0;
/** Single NAL unit packets carry types 1..23 (RFC 6184 5.6, Table 1). */
const LAST_SINGLE_NAL_TYPE = 23;

const RULES: NalRules = {
  isKeyframe: isH264Keyframe,
  isNonVcl: (u) => {
    const t = h264NalType(u);
    return t === H264_NAL.SPS || t === H264_NAL.PPS || t === H264_NAL.SEI;
  },
};

/**
 * RTP payload format for H.264, RFC 6184, packetization-mode 0 and 1
 * (single NAL unit, STAP-A, FU-A). Frames hold NAL units without start codes;
 * SPS and PPS pass through so the caller can take parameters from them.
 */
export class H264Depacketizer extends NalDepacketizer {
  /** The NAL header an FU start rebuilds (RFC 6184 5.8). */
  private readonly fuHead = new Uint8Array(1);

  constructor() {
    super(RULES);
  }

  protected keepUnit(nal: Uint8Array): boolean {
    // Access unit delimiters carry nothing a muxer needs; muxers add their own.
    return h264NalType(nal) !== H264_NAL.AUD;
  }

  protected readPayload(payload: Uint8Array): void {
    const type = h264NalType(payload);
    if (type >= 1 && type <= LAST_SINGLE_NAL_TYPE) return this.unit(payload);
    if (type === H264_NAL.STAP_A) {
      // 5.7.1: one byte STAP-A NAL header, then size-prefixed units.
      for (const nal of readAggregated(payload, 1, "STAP-A")) this.unit(nal);
      return;
    }
    if (type === H264_NAL.FU_A) {
      if (payload.length < 3) throw new ParseError("FU-A: shorter than its two header bytes and one byte of data");
      const fuHeader = payload[1]!;
      const start = (fuHeader & FU_START) !== 0;
      // The rebuilt NAL header, written in place: it only matters on the start piece, which copies it.
      if (start) this.fuHead[0] = (payload[0]! & FU_INDICATOR_KEEP) | (fuHeader & FU_TYPE_MASK);
      const head = start ? this.fuHead : NO_HEAD;
      // S and E both set is forbidden (5.8), but the NAL unit is whole: take it.
      return this.fragment(start, (fuHeader & FU_END) !== 0, head, payload.subarray(2));
    }
    // 25 STAP-B, 26 MTAP16, 27 MTAP24, 29 FU-B: interleaved mode only (5.2); 0, 30, 31 undefined.
    throw new ParseError(`H.264 RTP: NAL unit type ${type} is not allowed in non-interleaved mode (RFC 6184 5.2)`);
  }
}
