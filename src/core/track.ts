import { bytesEqual } from "./bytes.ts";

/** Codecs a track can carry. HLS (MPEG-TS) takes h264, h265 and aac. */
export type VideoCodec = "h264" | "h265";
export type AudioCodec = "aac" | "opus" | "pcmu" | "pcma";

interface TrackBase {
  /** Index of the track within its stream; stable for the stream's life. */
  readonly id: number;
  /** Incremented when parameters change mid-stream, so readers can notice. */
  readonly version: number;
  /** Ticks per second of this track's pts/dts: 90000 for video, the sample rate for audio. */
  readonly clockRate: number;
}

export interface VideoTrack extends TrackBase {
  readonly kind: "video";
  readonly codec: VideoCodec;
  /** Parameter sets as NAL units without start codes; vps only for h265. */
  readonly vps?: Uint8Array;
  readonly sps?: Uint8Array;
  readonly pps?: Uint8Array;
  readonly width?: number;
  readonly height?: number;
}

export interface AudioTrack extends TrackBase {
  readonly kind: "audio";
  readonly codec: AudioCodec;
  readonly sampleRate: number;
  readonly channels: number;
  /** AAC AudioSpecificConfig (ISO 14496-3 1.6.2.1). */
  readonly config?: Uint8Array;
}

export type Track = VideoTrack | AudioTrack;

/** A new object for changed parameters: the old one stays valid for units already queued. */
export function withParameters<T extends Track>(track: T, changes: Partial<Omit<T, "id" | "version" | "kind">>): T {
  return { ...track, ...changes, version: track.version + 1 };
}

/** Same codec and parameters: a decoder set up for `a` can go on with `b`. */
export function sameParameters(a: Track, b: Track): boolean {
  if (a.codec !== b.codec) return false;
  if (a.kind === "video" && b.kind === "video") return bytesEqual(a.sps, b.sps) && bytesEqual(a.pps, b.pps) && bytesEqual(a.vps, b.vps);
  if (a.kind === "audio" && b.kind === "audio") return a.sampleRate === b.sampleRate && a.channels === b.channels && bytesEqual(a.config, b.config);
  return false;
}
