/**
 * The RTP payload formats we carry, one row per codec, shared by the SDP
 * parser and generator so both sides name codecs the same way. One name per
 * payload format, not per codec: "aac" is MPEG4-GENERIC (RFC 3640) and
 * "aac-latm" is MP4A-LATM (RFC 6416); both become an AAC track.
 */
export type SdpCodec = "h264" | "h265" | "aac" | "aac-latm" | "opus" | "pcmu" | "pcma";

export interface CodecRow {
  codec: SdpCodec;
  type: "video" | "audio";
  /** Encoding name we write in a=rtpmap (RFC 6184, RFC 7798, RFC 3640, RFC 7587, RFC 3551). */
  rtpmapName: string;
  /** Clock rate when the rtpmap gives none; undefined means it must be given. */
  defaultClockRate?: number;
  /** Channels when fixed by the format (Opus always says 2, RFC 7587 7). */
  fixedChannels?: number;
}

export const CODECS: Record<SdpCodec, CodecRow> = {
  // RFC 6184 8.2.1 and RFC 7798 7.1: the clock rate is always 90000.
  h264: { codec: "h264", type: "video", rtpmapName: "H264", defaultClockRate: 90000 },
  h265: { codec: "h265", type: "video", rtpmapName: "H265", defaultClockRate: 90000 },
  // RFC 3640 4.1: the rate is the sampling rate, so it must be given.
  aac: { codec: "aac", type: "audio", rtpmapName: "MPEG4-GENERIC" },
  // RFC 6416 7.3: 90000 when the rtpmap gives none.
  "aac-latm": { codec: "aac-latm", type: "audio", rtpmapName: "MP4A-LATM", defaultClockRate: 90000 },
  opus: { codec: "opus", type: "audio", rtpmapName: "opus", defaultClockRate: 48000, fixedChannels: 2 },
  pcmu: { codec: "pcmu", type: "audio", rtpmapName: "PCMU", defaultClockRate: 8000 },
  pcma: { codec: "pcma", type: "audio", rtpmapName: "PCMA", defaultClockRate: 8000 },
};

/** Encoding names (upper-cased) → codec; cameras write `h264`, `H265`, `HEVC`, `mpeg4-generic`. */
const BY_NAME: Record<string, SdpCodec> = {
  H264: "h264",
  H265: "h265",
  HEVC: "h265",
  "MPEG4-GENERIC": "aac",
  "MP4A-LATM": "aac-latm",
  OPUS: "opus",
  PCMU: "pcmu",
  PCMA: "pcma",
};

/** Names we recognise but do not take, with the reason given in `skipped`. */
const UNSUPPORTED: Record<string, string> = {
  "MP4V-ES": "MPEG-4 Part 2 video is not supported",
  JPEG: "Motion JPEG is not supported",
  H263: "H.263 is not supported",
  "H263-1998": "H.263 is not supported",
  "H263-2000": "H.263 is not supported",
  VP8: "VP8 is not supported",
  VP9: "VP9 is not supported",
  AV1: "AV1 is not supported",
};

/** RFC 3551 6 static payload types that we can use without an rtpmap line. */
export const STATIC_PAYLOADS: Record<number, { name: string; clockRate: number; channels: number }> = {
  0: { name: "PCMU", clockRate: 8000, channels: 1 },
  8: { name: "PCMA", clockRate: 8000, channels: 1 },
};

/** Other RFC 3551 static types, named so `skipped` can say what the camera offered. */
const STATIC_NAMES: Record<number, string> = {
  3: "GSM", 4: "G723", 9: "G722", 14: "MPA", 18: "G729", 26: "JPEG", 31: "H261", 32: "MPV", 33: "MP2T", 34: "H263",
};

export function codecByName(name: string): { codec: SdpCodec } | { reason: string } {
  const upper = name.toUpperCase();
  const codec = BY_NAME[upper];
  if (codec) return { codec };
  return { reason: UNSUPPORTED[upper] ?? `codec ${JSON.stringify(name)} is not supported` };
}

export function staticName(payloadType: number): string | undefined {
  return STATIC_PAYLOADS[payloadType]?.name ?? STATIC_NAMES[payloadType];
}
