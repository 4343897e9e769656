import type { AccessUnit } from "../core/access-unit.ts";
import { ParseError } from "../core/errors.ts";
import type { Ring } from "../core/ring.ts";
import type { Track } from "../core/track.ts";
import { parseH264Sps } from "../codec/h264/sps.ts";
import { parseH265Sps } from "../codec/h265/sps.ts";

/** Units looked at when searching the ring for reordering: over ten seconds of video plus audio. */
const SCAN_UNITS = 600;

const ADVICE = "browsers cannot decode H.264/H.265 with B-frames over WebRTC; have the encoder send none (x264 -bf 0, OBS B-frames 0)";

/** The reorder depth an SPS signals, 0 when it signals none or cannot be read. */
function signalledReorder(track: Track): number {
  if (track.kind !== "video" || !track.sps) return 0;
  try {
    if (track.codec === "h265") return parseH265Sps(track.sps).reorderPictures;
    const s = parseH264Sps(track.sps);
    // POC type 2 (H.264 8.2.1.3) and Baseline (no B slices, A.2.1) cannot reorder.
    return s.pocType === 2 || s.profileIdc === 66 ? 0 : (s.reorderFrames ?? 0);
  } catch (e) {
    if (e instanceof ParseError) return 0;
    throw e;
  }
}

/**
 * Why a video track cannot be played by a browser over WebRTC because its
 * pictures are reordered, or undefined. libwebrtc hands each frame to the
 * decoder and wants a picture back at once; with B-frames the decoder holds
 * pictures back and the browser counts errors and asks for keyframes
 * (measured: Chromium 156 decodes two frames per GOP of the demo clip).
 */
export function reorderProblem(track: Track, ring: Ring): string | undefined {
  if (track.kind !== "video") return undefined;
  const signalled = signalledReorder(track);
  if (signalled > 0) return `its SPS signals ${signalled} reordered picture(s) (B-frames): ${ADVICE}`;
  let last: number | undefined;
  for (let seq = Math.max(ring.head, ring.tail - SCAN_UNITS); seq < ring.tail; seq++) {
    const au = ring.at(seq);
    if (!au || au.track.id !== track.id) continue;
    if (last !== undefined && reordered(last, au)) return `it has B-frames (presentation order differs from decode order): ${ADVICE}`;
    last = au.pts;
  }
  return undefined;
}

/** A unit shown before the one decoded ahead of it: reordering. */
export function reordered(previousPts: number, au: AccessUnit): boolean {
  return au.pts < previousPts;
}
