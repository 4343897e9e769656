import { ParseError } from "../../core/errors.ts";
import { readTimestamp } from "./timestamp.ts";

/** Fixed PES header: start code prefix, stream_id, PES_packet_length (ISO/IEC 13818-1 2.4.3.6). */
export const PES_FIXED_HEADER = 6;
/** The optional header's flag bytes and PES_header_data_length. */
const PES_OPTIONAL_HEADER = 3;

export interface PesHeader {
  readonly streamId: number;
  /** PES_packet_length: bytes after this field, 0 for unbounded video. */
  readonly packetLength: number;
  /** Raw 33-bit values. */
  readonly pts: number | undefined;
  readonly dts: number | undefined;
  /** Offset of the elementary stream data. */
  readonly payloadOffset: number;
}

/** Stream ids without the optional header (Table 2-22 and the `if` in 2.4.3.6). */
const NO_OPTIONAL_HEADER: ReadonlySet<number> = new Set([0xbc, 0xbe, 0xbf, 0xf0, 0xf1, 0xf2, 0xf8, 0xff]);

/** Parses a PES header; `data` must hold at least the whole header. */
export function parsePesHeader(data: Uint8Array): PesHeader {
  if (data.length < PES_FIXED_HEADER || data[0] !== 0 || data[1] !== 0 || data[2] !== 1) {
    throw new ParseError("PES: bad start code");
  }
  const streamId = data[3]!;
  const packetLength = (data[4]! << 8) | data[5]!;
  if (NO_OPTIONAL_HEADER.has(streamId)) {
    return { streamId, packetLength, pts: undefined, dts: undefined, payloadOffset: PES_FIXED_HEADER };
  }
  if (data.length < PES_FIXED_HEADER + PES_OPTIONAL_HEADER || (data[6]! & 0xc0) !== 0x80) {
    throw new ParseError("PES: bad optional header");
  }
  const ptsDtsFlags = data[7]! >> 6;
  const headerDataLength = data[8]!;
  const payloadOffset = PES_FIXED_HEADER + PES_OPTIONAL_HEADER + headerDataLength;
  if (payloadOffset > data.length) throw new ParseError("PES: header longer than packet");
  let pts: number | undefined;
  let dts: number | undefined;
  if (ptsDtsFlags & 2) {
    if (headerDataLength < 5) throw new ParseError("PES: PTS does not fit");
    pts = readTimestamp(data, 9);
    if (ptsDtsFlags === 3) {
      if (headerDataLength < 10) throw new ParseError("PES: DTS does not fit");
      dts = readTimestamp(data, 14);
    }
  }
  return { streamId, packetLength, pts, dts, payloadOffset };
}
