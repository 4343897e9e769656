import { ParseError } from "../../core/errors.ts";
import { BitReader } from "../bit-reader.ts";

/** samplingFrequencyIndex 0..12 (ISO 14496-3 1.6.3.4, Table 1.18); 13, 14 reserved, 15 explicit. */
export const AAC_SAMPLE_RATES: readonly number[] = [
  96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350,
];
const EXPLICIT_RATE_INDEX = 15;
/** audioObjectType 31 escapes to 32 + 6 more bits (ISO 14496-3 1.6.2.1). */
const OBJECT_TYPE_ESCAPE = 31;
/** channelConfiguration 7 means 8 channels (7.1); 0 means a PCE follows (Table 1.19). */
const CHANNELS_BY_CONFIG: readonly number[] = [0, 1, 2, 3, 4, 5, 6, 8];
/** AAC-LC (Table 1.17), what nearly every camera and encoder sends. */
export const AAC_LC = 2;
/** Samples per AAC frame (ISO 14496-3 4.5.1.1, frameLengthFlag 0). */
export const AAC_FRAME_SAMPLES = 1024;

export interface AudioSpecificConfig {
  readonly objectType: number;
  readonly sampleRate: number;
  /** 15 when the rate was written explicitly. */
  readonly sampleRateIndex: number;
  readonly channels: number;
}

/** AudioSpecificConfig's leading fields (ISO 14496-3 1.6.2.1); extensions are ignored. */
export function parseAudioSpecificConfig(bytes: Uint8Array): AudioSpecificConfig {
  const r = new BitReader(bytes);
  let objectType = r.u(5);
  if (objectType === OBJECT_TYPE_ESCAPE) objectType = 32 + r.u(6);
  if (objectType === 0) throw new ParseError("AudioSpecificConfig: object type 0");
  const sampleRateIndex = r.u(4);
  let sampleRate: number;
  if (sampleRateIndex === EXPLICIT_RATE_INDEX) sampleRate = r.u(24);
  else {
    const rate = AAC_SAMPLE_RATES[sampleRateIndex];
    if (rate === undefined) throw new ParseError("AudioSpecificConfig: reserved sampling index");
    sampleRate = rate;
  }
  if (sampleRate === 0) throw new ParseError("AudioSpecificConfig: sample rate 0");
  const channelConfig = r.u(4);
  const channels = CHANNELS_BY_CONFIG[channelConfig];
  if (channels === undefined) throw new ParseError("AudioSpecificConfig: reserved channel configuration");
  return { objectType, sampleRate, sampleRateIndex, channels };
}

/** Channel count for a channelConfiguration 0..7. */
export function channelsForConfig(config: number): number {
  return CHANNELS_BY_CONFIG[config] ?? 0;
}

/** channelConfiguration for a channel count, or throws (8 → 7; others as is up to 6). */
export function aacChannelConfig(channels: number): number {
  const config = CHANNELS_BY_CONFIG.indexOf(channels);
  if (config <= 0) throw new ParseError(`AAC: no channel configuration for ${channels} channels`);
  return config;
}

/** The index for a rate in AAC_SAMPLE_RATES, or 15 (explicit). */
export function aacSampleRateIndex(sampleRate: number): number {
  const i = AAC_SAMPLE_RATES.indexOf(sampleRate);
  return i < 0 ? EXPLICIT_RATE_INDEX : i;
}

/** Builds a 2-byte AudioSpecificConfig (5-byte with an explicit rate); GASpecificConfig all zero. */
export function buildAudioSpecificConfig(c: { objectType: number; sampleRate: number; channels: number }): Uint8Array {
  if (c.objectType <= 0 || c.objectType >= OBJECT_TYPE_ESCAPE) throw new ParseError("AAC: unsupported object type");
  const index = aacSampleRateIndex(c.sampleRate);
  const config = aacChannelConfig(c.channels);
  if (index !== EXPLICIT_RATE_INDEX) {
    return new Uint8Array([(c.objectType << 3) | (index >> 1), ((index & 1) << 7) | (config << 3)]);
  }
  // 5 + 4 + 24 + 4 bits, then GASpecificConfig's 3 zero bits: 40 bits.
  const out = new Uint8Array(5);
  let bit = 0;
  const put = (value: number, n: number): void => {
    for (let i = n - 1; i >= 0; i--, bit++) if (Math.floor(value / 2 ** i) % 2) out[bit >> 3]! |= 0x80 >> (bit & 7);
  };
  put(c.objectType, 5);
  put(EXPLICIT_RATE_INDEX, 4);
  put(c.sampleRate, 24);
  put(config, 4);
  return out;
}
