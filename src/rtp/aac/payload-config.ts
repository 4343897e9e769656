import { type AudioSpecificConfig, parseAudioSpecificConfig } from "../../codec/aac/config.ts";
import { ParseError } from "../../core/errors.ts";
import { type Mpeg4GenericFmtp, parseMpeg4GenericFmtp } from "./fmtp.ts";
import type { LatmConfig } from "./latm-config.ts";
import { parseLatmFmtp } from "./latm-fmtp.ts";

/** How AAC frames are packed in RTP: RFC 3640 mpeg4-generic or RFC 6416 MP4A-LATM. */
export type AacPacking = "generic" | "latm";

/** An AAC payload format's SDP parameters, read and checked, with the AudioSpecificConfig they carry. */
export type AacPayloadConfig = { asc: AudioSpecificConfig; config: Uint8Array } & (
  | { packing: "generic"; generic: Mpeg4GenericFmtp }
  | { packing: "latm"; latm: LatmConfig }
);

/**
 * Reads an AAC track's fmtp (keys lower-cased, as parseFmtp gives them).
 * Throws ParseError with the reason when the track cannot be decoded.
 */
export function readAacPayload(packing: AacPacking, clockRate: number, fmtp: Record<string, string>): AacPayloadConfig {
  if (packing === "generic") {
    const generic = parseMpeg4GenericFmtp(fmtp);
    return { packing, generic, config: generic.config, asc: parseAudioSpecificConfig(generic.config) };
  }
  const latm = parseLatmFmtp(fmtp);
  const asc = parseAudioSpecificConfig(latm.config);
  // LatmDepacketizer steps 1024 RTP ticks per frame; RFC 6416 7.3 allows only 90000 or the sampling rate.
  if (clockRate !== asc.sampleRate) {
    throw new ParseError(`MP4A-LATM: clock rate ${clockRate} differs from the sampling rate ${asc.sampleRate} Hz of the config, not supported`);
  }
  return { packing, latm, config: latm.config, asc };
}
