import { ParseError } from "../../core/errors.ts";
import { type LatmConfig, parseLatmConfig } from "./latm-config.ts";

/**
 * Reads the fmtp of an MP4A-LATM stream (RFC 6416 7.3). Only an
 * out-of-band StreamMuxConfig is supported: `config=` with cpresent=0, what
 * ffmpeg, GStreamer and live555 write. cpresent=1 puts a StreamMuxConfig
 * in the packets (6.1), which LatmDepacketizer does not read.
 */
export function parseLatmFmtp(fmtp: Record<string, string>): LatmConfig {
  const params = new Map<string, string>();
  for (const [k, v] of Object.entries(fmtp)) params.set(k.trim().toLowerCase(), v.trim());
  const cpresent = params.get("cpresent");
  // RFC 6416 7.3 makes a missing cpresent mean 1, but senders that give config= without it
  // send no in-band config (ffmpeg's rtpdec_latm reads them the same way).
  if (cpresent !== undefined && cpresent !== "0") {
    throw new ParseError(`MP4A-LATM: cpresent=${cpresent} (StreamMuxConfig in band, RFC 6416 6.1) is not supported, only config= in the SDP with cpresent=0`);
  }
  const config = params.get("config");
  if (config === undefined || config === "") throw new ParseError("MP4A-LATM: fmtp has no config= (StreamMuxConfig, RFC 6416 7.3)");
  return parseLatmConfig(config);
}
