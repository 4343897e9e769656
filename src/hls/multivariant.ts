import type { Track } from "../core/track.ts";
import { codecString } from "../container/fmp4/codec-string.ts";
import { videoSize } from "../container/fmp4/mp4-track.ts";

/** Multivariant playlist text (RFC 8216 4.3.4.2): one variant, the stream as it is (we do not transcode). */

export interface VariantInfo {
  /** Peak segment bit rate, bits/s (BANDWIDTH). */
  readonly bandwidth: number;
  /** Mean bit rate over the segments measured, bits/s (AVERAGE-BANDWIDTH). */
  readonly averageBandwidth: number;
  /** RFC 6381 codec strings of every track in the segments. */
  readonly codecs: readonly string[];
  readonly resolution?: { readonly width: number; readonly height: number };
  /** Frames per second, measured. */
  readonly frameRate?: number;
  /** URI of the media playlist. */
  readonly uri: string;
}

export function renderMultivariantPlaylist(v: VariantInfo): string {
  const attrs = [`BANDWIDTH=${Math.ceil(v.bandwidth)}`, `AVERAGE-BANDWIDTH=${Math.ceil(v.averageBandwidth)}`, `CODECS="${v.codecs.join(",")}"`];
  if (v.resolution) attrs.push(`RESOLUTION=${v.resolution.width}x${v.resolution.height}`);
  if (v.frameRate) attrs.push(`FRAME-RATE=${v.frameRate.toFixed(3)}`);
  // Every segment starts with a keyframe (or is audio): INDEPENDENT-SEGMENTS (RFC 8216 4.3.5.1).
  return ["#EXTM3U", "#EXT-X-INDEPENDENT-SEGMENTS", `#EXT-X-STREAM-INF:${attrs.join(",")}`, v.uri, ""].join("\n");
}

/**
 * CODECS entries for the tracks a segment carries. In MPEG-TS the H.265
 * parameter sets travel in-band, so its sample entry name is hev1, not hvc1
 * (ISO 14496-15 8.4.1, Apple HLS authoring spec).
 */
export function codecsOf(tracks: readonly Track[], container: "ts" | "m4s"): string[] {
  const out: string[] = [];
  for (const t of tracks) {
    if (t.kind === "video" && !t.sps) continue;
    const codec = codecString(t);
    out.push(container === "ts" && codec.startsWith("hvc1.") ? `hev1.${codec.slice(5)}` : codec);
  }
  return out;
}

/** Picture size of the first video track, when known. */
export function resolutionOf(tracks: readonly Track[]): { width: number; height: number } | undefined {
  for (const t of tracks) {
    if (t.kind !== "video") continue;
    try {
      return videoSize(t);
    } catch {
      return undefined;
    }
  }
  return undefined;
}
