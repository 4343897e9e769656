import { ParseError } from "../../core/errors.ts";
import { AAC_SAMPLE_RATES, aacChannelConfig, channelsForConfig } from "./config.ts";

/** ADTS header sizes (ISO 14496-3 1.A.2.2.1): 7 bytes, 9 with the CRC. */
export const ADTS_HEADER_LENGTH = 7;
const ADTS_CRC_LENGTH = 2;
/** frame_length is 13 bits and counts the header too. */
const MAX_FRAME_LENGTH = 0x1fff;
/** adts_buffer_fullness 0x7FF signals a variable rate stream (1.A.2.2.1). */
const BUFFER_FULLNESS_VBR = 0x7ff;

/** Returned when the buffer ends before the header does: not an error, feed more bytes. */
export const NEED_MORE: unique symbol = Symbol("NEED_MORE");

export interface AdtsHeader {
  /** audioObjectType = profile + 1 (1.A.2.2.1). */
  readonly objectType: number;
  readonly sampleRateIndex: number;
  readonly sampleRate: number;
  /** From channel_configuration (7 means 8); 0 would need a PCE in the payload. */
  readonly channels: number;
  readonly headerLength: number;
  /** Header plus payload. */
  readonly frameLength: number;
  /** number_of_raw_data_blocks_in_frame + 1. */
  readonly rawBlocks: number;
}

export interface AdtsFrame {
  readonly header: AdtsHeader;
  /** raw_data_block(s) without the header, a view over the input. */
  readonly data: Uint8Array;
}

export function parseAdtsHeader(data: Uint8Array, offset = 0): AdtsHeader | typeof NEED_MORE {
  if (data.length - offset < ADTS_HEADER_LENGTH) return NEED_MORE;
  const b = data.subarray(offset, offset + ADTS_HEADER_LENGTH);
  if (b[0] !== 0xff || (b[1]! & 0xf6) !== 0xf0) throw new ParseError("ADTS: bad syncword or layer");
  const protectionAbsent = (b[1]! & 1) === 1;
  const objectType = (b[2]! >> 6) + 1;
  const sampleRateIndex = (b[2]! >> 2) & 0x0f;
  const sampleRate = AAC_SAMPLE_RATES[sampleRateIndex];
  if (sampleRate === undefined) throw new ParseError("ADTS: reserved sampling index");
  const channels = channelsForConfig(((b[2]! & 1) << 2) | (b[3]! >> 6));
  const frameLength = ((b[3]! & 3) << 11) | (b[4]! << 3) | (b[5]! >> 5);
  const headerLength = protectionAbsent ? ADTS_HEADER_LENGTH : ADTS_HEADER_LENGTH + ADTS_CRC_LENGTH;
  if (frameLength <= headerLength) throw new ParseError("ADTS: frame_length too small");
  const rawBlocks = (b[6]! & 3) + 1;
  return { objectType, sampleRateIndex, sampleRate, channels, headerLength, frameLength, rawBlocks };
}

/** Writes a 7-byte header without CRC at out[offset..offset+7]. frameLength includes the header. */
export function writeAdtsHeader(
  out: Uint8Array,
  offset: number,
  h: { objectType: number; sampleRateIndex: number; channels: number; frameLength: number },
): void {
  if (h.frameLength > MAX_FRAME_LENGTH) throw new ParseError("ADTS: frame too long");
  const profile = (h.objectType - 1) & 3;
  const config = h.channels === 0 ? 0 : aacChannelConfig(h.channels);
  out[offset] = 0xff;
  out[offset + 1] = 0xf1; // MPEG-4, layer 0, protection_absent
  out[offset + 2] = (profile << 6) | ((h.sampleRateIndex & 0x0f) << 2) | ((config >> 2) & 1);
  out[offset + 3] = ((config & 3) << 6) | ((h.frameLength >> 11) & 3);
  out[offset + 4] = (h.frameLength >> 3) & 0xff;
  out[offset + 5] = ((h.frameLength & 7) << 5) | (BUFFER_FULLNESS_VBR >> 6);
  out[offset + 6] = (BUFFER_FULLNESS_VBR & 0x3f) << 2; // one raw data block
}

/**
 * Splits concatenated ADTS frames into views. A frame cut off at the end is
 * left out; `rest` says where it starts (data.length when nothing is left).
 */
export function splitAdts(data: Uint8Array): { frames: AdtsFrame[]; rest: number } {
  const frames: AdtsFrame[] = [];
  let pos = 0;
  while (pos < data.length) {
    const header = parseAdtsHeader(data, pos);
    if (header === NEED_MORE || pos + header.frameLength > data.length) break;
    frames.push({ header, data: data.subarray(pos + header.headerLength, pos + header.frameLength) });
    pos += header.frameLength;
  }
  return { frames, rest: pos };
}
