import { BitReader } from "../../codec/bit-reader.ts";
import { ParseError } from "../../core/errors.ts";

/** audioObjectType escape to 32 + 6 bits (ISO 14496-3 1.6.2.1). */
const OBJECT_TYPE_ESCAPE = 31;
/** Explicit 24-bit sampling frequency follows index 15 (ISO 14496-3 1.6.3.4). */
const EXPLICIT_RATE_INDEX = 15;
/** SBR and PS signalled hierarchically: another rate and object type follow (ISO 14496-3 1.6.2.1). */
const SBR = 5;
const PS = 29;
/** ER BSAC: its sync extension carries a channel configuration too (ISO 14496-3 1.6.2.1). */
const ER_BSAC = 22;
/** syncExtensionType of backward-compatible SBR and of PS after it (ISO 14496-3 1.6.2.1, 1.6.6.2). */
const SBR_SYNC = 0x2b7;
const PS_SYNC = 0x548;
/** Object types whose specific config is GASpecificConfig (ISO 14496-3 Table 1.15). */
const GA_OBJECT_TYPES = new Set([1, 2, 3, 4, 6, 7, 17, 19, 20, 21, 22, 23]);

/** What a depacketizer and a track need from an MP4A-LATM StreamMuxConfig. */
export interface LatmConfig {
  /** AudioSpecificConfig, byte aligned (it is bit-packed inside StreamMuxConfig). */
  config: Uint8Array;
  /** Subframes per AudioMuxElement minus one (ISO 14496-3 1.7.3, numSubFrames). */
  numSubFrames: number;
}

/**
 * Reads the `config=` hex of an MP4A-LATM fmtp (RFC 6416 7.3, cpresent=0):
 * a StreamMuxConfig (ISO 14496-3 1.7.3). Supported: audioMuxVersion 0, one
 * program, one layer, frameLengthType 0 (what ffmpeg, GStreamer and cameras
 * send); anything else is a ParseError naming the field.
 */
export function parseLatmConfig(hex: string): LatmConfig {
  if (!/^([0-9a-f]{2})+$/i.test(hex)) throw new ParseError(`MP4A-LATM: config "${hex}" is not hex`);
  const bytes = new Uint8Array(hex.match(/../g)!.map((h) => parseInt(h, 16)));
  const r = new BitReader(bytes);
  if (r.u(1) !== 0) throw new ParseError("MP4A-LATM: audioMuxVersion 1 is not supported");
  if (r.u(1) !== 1) throw new ParseError("MP4A-LATM: allStreamsSameTimeFraming 0 is not supported");
  const numSubFrames = r.u(6);
  if (r.u(4) !== 0 || r.u(3) !== 0) throw new ParseError("MP4A-LATM: only one program with one layer is supported");
  const ascStart = 15;
  readAudioSpecificConfig(r, bytes);
  const ascBits = bytes.length * 8 - r.bitsLeft - ascStart;
  if (r.u(3) !== 0) throw new ParseError("MP4A-LATM: only frameLengthType 0 (byte lengths) is supported");
  return { config: copyBits(bytes, ascStart, ascBits), numSubFrames };
}

/** Walks an AudioSpecificConfig (ISO 14496-3 1.6.2.1) to learn its length in bits. */
function readAudioSpecificConfig(r: BitReader, bytes: Uint8Array): void {
  const peek = (n: number): number => {
    if (r.bitsLeft < n) return -1;
    const ahead = new BitReader(bytes);
    ahead.skip(bytes.length * 8 - r.bitsLeft);
    return ahead.u(n);
  };
  const objectType = (): number => {
    const t = r.u(5);
    return t === OBJECT_TYPE_ESCAPE ? 32 + r.u(6) : t;
  };
  const rate = (): void => {
    if (r.u(4) === EXPLICIT_RATE_INDEX) r.skip(24);
  };
  let type = objectType();
  rate();
  const channelConfig = r.u(4);
  const hierarchical = type === SBR || type === PS;
  if (hierarchical) {
    rate();
    type = objectType();
  }
  if (!GA_OBJECT_TYPES.has(type)) throw new ParseError(`MP4A-LATM: audio object type ${type} is not supported`);
  if (channelConfig === 0) throw new ParseError("MP4A-LATM: channel configuration 0 (a program_config_element) is not supported");
  // GASpecificConfig (ISO 14496-3 4.4.1): frameLengthFlag, dependsOnCoreCoder, extensionFlag.
  r.skip(1);
  if (r.flag()) r.skip(14);
  const extension = r.flag();
  if (type === 6 || type === 20) r.skip(3);
  if (extension) {
    if (type === 22) r.skip(16);
    if (type === 17 || type === 19 || type === 20 || type === 23) r.skip(3);
    r.skip(1);
  }
  // Backward-compatible SBR signalling. With audioMuxVersion 0 the config has no length, so it is
  // known by its sync word, as ffmpeg does: its AAC encoder writes 0x2b7 + SBR + sbrPresentFlag 0,
  // which GStreamer's rtpmp4apay passes on. frameLengthType 0 cannot start 0x2b7 or 0x548.
  if (!hierarchical && peek(11) === SBR_SYNC) {
    r.skip(11);
    const extensionType = objectType();
    if (extensionType === SBR && r.flag()) {
      rate();
      if (peek(11) === PS_SYNC) r.skip(12);
    } else if (extensionType === ER_BSAC) {
      if (r.flag()) rate();
      r.skip(4);
    }
  }
}

function copyBits(src: Uint8Array, start: number, n: number): Uint8Array {
  const out = new Uint8Array(Math.ceil(n / 8));
  for (let i = 0; i < n; i++) {
    const bit = (src[(start + i) >> 3]! >> (7 - ((start + i) & 7))) & 1;
    if (bit) out[i >> 3]! |= 0x80 >> (i & 7);
  }
  return out;
}
