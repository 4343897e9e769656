import type { Stream } from "./core/stream.ts";
import type { Track } from "./core/track.ts";
import type { SourceStatus } from "./ingest/source-status.ts";

/** Outputs that can carry each codec today (webrtc: video without B-frames; H.265 only to browsers that offer it). */
const OUTPUTS: Record<Track["codec"], readonly string[]> = {
  h264: ["hls", "webrtc"],
  h265: ["hls", "webrtc"],
  aac: ["hls"],
  opus: ["webrtc"],
  pcmu: ["webrtc"],
  pcma: ["webrtc"],
};

export interface TrackInfo {
  id: number;
  kind: "video" | "audio";
  codec: string;
  width?: number;
  height?: number;
  sampleRate?: number;
  channels?: number;
  outputs: readonly string[];
}

export interface StreamInfo {
  path: string;
  publisher: string | null;
  tracks: TrackInfo[];
  readers: { id: string; protocol: string; remote?: string; lag: number; dropped: number; since: string }[];
  bytesIn: number;
  /** Input bits per second over the last second. */
  bitrate: number;
  bytesOut: number;
  unitsIn: number;
  unitsDropped: number;
  ring: { units: number; bytes: number };
  source: SourceStatus | null;
}

function trackInfo(t: Track): TrackInfo {
  const base = { id: t.id, kind: t.kind, codec: t.codec, outputs: OUTPUTS[t.codec] };
  return t.kind === "video" ? { ...base, width: t.width, height: t.height } : { ...base, sampleRate: t.sampleRate, channels: t.channels };
}

export function streamInfo(s: Stream): StreamInfo {
  return {
    path: s.path,
    publisher: s.publisher ?? null,
    tracks: s.tracks.filter(Boolean).map(trackInfo),
    readers: [...s.readers].map((r) => ({
      id: r.id,
      protocol: r.protocol,
      ...(r.remote !== undefined ? { remote: r.remote } : {}),
      lag: r.lag,
      dropped: r.dropped,
      since: new Date(r.since).toISOString(),
    })),
    bytesIn: s.counters.bytesIn,
    bitrate: s.bitrate,
    bytesOut: s.counters.bytesOut,
    unitsIn: s.counters.unitsIn,
    unitsDropped: s.unitsDropped,
    ring: { units: s.ring.length, bytes: s.ring.bytes },
    source: s.source?.status() ?? null,
  };
}
