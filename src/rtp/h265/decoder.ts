import { H265_NAL, h265NalType, isH265Keyframe } from "../../codec/h265/nal.ts";
import { ParseError } from "../../core/errors.ts";
import type { NalRules } from "../frame-assembler.ts";
import { NO_HEAD } from "../fragment-buffer.ts";
import { NalDepacketizer, readAggregated } from "../nal-depacketizer.ts";

/** PayloadHdr is a two-byte NAL unit header (RFC 7798 4.4). */
const PAYLOAD_HEADER_SIZE = 2;
/** FU header bits (RFC 7798 4.4.3): S, E, FuType. */
const FU_START = 0x80;
const FU_END = 0x40;
const FU_TYPE_MASK = 0x3f;
/** F bit and LayerId's high bit of the first header byte, kept when rebuilding (4.4.3). */
const HEADER_KEEP = 0x81;
/** RASL_N and RASL_R nal_unit_types (H.265 Table 7-1): random access skipped leading pictures. */
const RASL_N = 8;
const RASL_R = 9;
/** PACI packets (RFC 7798 4.4.4) carry a header extension we do not use. */
const PACI = 50;

const RULES: NalRules = {
  isKeyframe: isH265Keyframe,
  isNonVcl: (u) => {
    const t = h265NalType(u);
    return (t >= H265_NAL.VPS && t <= H265_NAL.PPS) || t === H265_NAL.PREFIX_SEI || t === H265_NAL.SUFFIX_SEI;
  },
  // x265 and cameras with open GOPs start a GOP with a CRA followed by RASL pictures.
  skippedAfterRecovery: (units) => units.some((u) => {
    const t = h265NalType(u);
    return t === RASL_N || t === RASL_R;
  }),
};

export interface H265DepacketizerOptions {
  /** sprop-max-don-diff from the SDP (RFC 7798 7.1); above 0, packets carry DONL/DOND fields. */
  spropMaxDonDiff?: number;
}

/**
 * RTP payload format for H.265, RFC 7798: single NAL unit packets (4.4.1),
 * aggregation packets (4.4.2) and fragmentation units (4.4.3), without
 * DONL/DOND fields. A keyframe is an access unit with an IRAP picture.
 */
export class H265Depacketizer extends NalDepacketizer {
  /** The NAL header an FU start rebuilds (RFC 7798 4.4.3). */
  private readonly fuHead = new Uint8Array(2);

  constructor(options: H265DepacketizerOptions = {}) {
    super(RULES);
    const maxDonDiff = options.spropMaxDonDiff ?? 0;
    if (maxDonDiff !== 0) {
      throw new ParseError(
        `H.265 RTP: sprop-max-don-diff=${maxDonDiff} means decoding-order numbers in every packet (RFC 7798 4.4); only 0 is supported`,
      );
    }
  }

  protected keepUnit(nal: Uint8Array): boolean {
    return h265NalType(nal) !== H265_NAL.AUD;
  }

  protected readPayload(payload: Uint8Array): void {
    if (payload.length < PAYLOAD_HEADER_SIZE) throw new ParseError("H.265 RTP: payload shorter than its 2-byte header");
    const type = h265NalType(payload);
    if (type === H265_NAL.AP) {
      for (const nal of readAggregated(payload, PAYLOAD_HEADER_SIZE, "H.265 AP")) {
        if (nal.length < PAYLOAD_HEADER_SIZE) throw new ParseError("H.265 AP: NAL unit shorter than its header");
        this.unit(nal);
      }
      return;
    }
    if (type === H265_NAL.FU) {
      if (payload.length < PAYLOAD_HEADER_SIZE + 2) throw new ParseError("H.265 FU: shorter than its headers and one byte of data");
      const fuHeader = payload[2]!;
      const start = (fuHeader & FU_START) !== 0;
      // The rebuilt NAL header, written in place: it only matters on the start piece, which copies it.
      if (start) {
        this.fuHead[0] = (payload[0]! & HEADER_KEEP) | ((fuHeader & FU_TYPE_MASK) << 1);
        this.fuHead[1] = payload[1]!;
      }
      const head = start ? this.fuHead : NO_HEAD;
      return this.fragment(start, (fuHeader & FU_END) !== 0, head, payload.subarray(3));
    }
    if (type === PACI) throw new ParseError("H.265 RTP: PACI packets (RFC 7798 4.4.4) are not supported");
    if (type > PACI) throw new ParseError(`H.265 RTP: NAL unit type ${type} is unspecified`);
    this.unit(payload);
  }
}
