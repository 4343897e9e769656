import type { Track } from "../core/track.ts";
import type { OfferedCodec } from "./offer.ts";

/** How an offered payload format fits a track: the best score wins; undefined = not usable, with a reason. */
export type CodecFit = { codec: OfferedCodec; score: number; note?: string } | { reason: string };

const PROFILE_NAMES: Record<number, string> = { 66: "Baseline", 77: "Main", 88: "Extended", 100: "High", 110: "High 10", 122: "High 4:2:2", 244: "High 4:4:4 Predictive" };
/**
 * Profiles each of whose decoders decodes the ones before it (H.264 A.2:
 * Main and up take Constrained Baseline, High takes Main, and so on up to
 * High 4:4:4 Predictive). Chromium 156 offers 42001f, 42e01f, 4d001f and
 * f4001f but no High (64), so a High camera goes out as f4001f.
 */
const PROFILE_RANK: Record<number, number> = { 66: 0, 77: 1, 100: 2, 110: 3, 122: 4, 244: 5 };

function profileName(idc: number): string {
  return PROFILE_NAMES[idc] ?? `profile_idc ${idc}`;
}

/** profile_idc from profile-level-id (RFC 6184 8.1: three hex bytes, profile_idc first). */
function offeredProfile(c: OfferedCodec): number | undefined {
  const id = c.fmtp["profile-level-id"];
  return id !== undefined && /^[0-9a-f]{6}$/i.test(id) ? parseInt(id.slice(0, 2), 16) : undefined;
}

/** Higher is better: the same profile, then the least profile that decodes ours, then anything. */
function profileScore(want: number | undefined, got: number | undefined): number {
  if (want === undefined || got === want) return 100;
  const w = PROFILE_RANK[want];
  const g = got === undefined ? undefined : PROFILE_RANK[got];
  return w !== undefined && g !== undefined && g > w ? 50 - g : 0;
}

/**
 * H.264 goes out as the source sent it, so the browser must take
 * packetization-mode 1 (RFC 6184 6.3: STAP-A and FU-A). Among those the
 * stream's own profile is best, then the least profile that contains it;
 * failing both the first one is used and the mismatch noted, since browsers
 * decode with one decoder whatever profile was signalled.
 */
function fitH264(track: Track, offered: OfferedCodec[]): CodecFit {
  const modeOne = offered.filter((c) => c.name.toUpperCase() === "H264" && c.fmtp["packetization-mode"] === "1");
  if (modeOne.length === 0) {
    const any = offered.some((c) => c.name.toUpperCase() === "H264");
    return { reason: any ? "the browser offered H.264 only with packetization-mode 0 (one NAL unit per packet); we send STAP-A/FU-A" : "the browser did not offer H.264" };
  }
  const want = track.kind === "video" && track.sps && track.sps.length > 1 ? track.sps[1]! : undefined;
  let best = modeOne[0]!;
  let bestScore = -1;
  for (const c of modeOne) {
    const score = profileScore(want, offeredProfile(c));
    if (score > bestScore) [best, bestScore] = [c, score];
  }
  if (bestScore > 0 || want === undefined) return { codec: best, score: bestScore };
  const got = offeredProfile(best);
  return { codec: best, score: 0, note: `stream is H.264 ${profileName(want)}, the browser listed ${got === undefined ? "no profile" : profileName(got)}; sent unchanged` };
}

function fitByName(name: string, offered: OfferedCodec[], check: (c: OfferedCodec) => string | undefined): CodecFit {
  const named = offered.filter((c) => c.name.toUpperCase() === name.toUpperCase());
  if (named.length === 0) return { reason: `the browser did not offer ${name}` };
  const problems: string[] = [];
  for (const c of named) {
    const problem = check(c);
    if (problem === undefined) return { codec: c, score: 1 };
    problems.push(problem);
  }
  return { reason: problems.join("; ") };
}

/** The offered payload format that carries `track` without transcoding, or why none does. */
export function fitCodec(track: Track, offered: OfferedCodec[]): CodecFit {
  switch (track.codec) {
    case "h264":
      return fitH264(track, offered);
    case "h265":
      // Chromium offers H.265 only where a hardware decoder exists; elsewhere the track is left out.
      return fitByName("H265", offered, () => undefined);
    case "opus":
      // RFC 7587 7: always opus/48000/2 in SDP; multichannel Opus is another format (multiopus).
      return fitByName("opus", offered, () => (track.kind === "audio" && track.channels > 2 ? `${track.channels}-channel Opus needs multiopus, which is not offered` : undefined));
    case "pcmu":
    case "pcma":
      return fitByName(track.codec.toUpperCase(), offered, () => {
        if (track.kind !== "audio") return "not audio";
        if (track.sampleRate !== 8000) return `G.711 in WebRTC is 8000 Hz, the stream has ${track.sampleRate} Hz`;
        return track.channels !== 1 ? `G.711 in WebRTC is mono, the stream has ${track.channels} channels` : undefined;
      });
    case "aac":
      return { reason: "AAC cannot be sent over WebRTC (browsers take Opus and G.711) and this server does not transcode" };
  }
}
