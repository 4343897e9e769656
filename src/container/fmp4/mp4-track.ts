import { MediaError } from "../../core/errors.ts";
import type { AudioTrack, Track, VideoTrack } from "../../core/track.ts";
import { AAC_LC, buildAudioSpecificConfig } from "../../codec/aac/config.ts";
import { spsDimensions } from "../../codec/parameter-sets.ts";
import { avc1 } from "./avc1.ts";
import type { Box } from "./box.ts";
import { hvc1 } from "./hvc1.ts";
import { mp4a } from "./mp4a.ts";

/** Codecs the fMP4 writer carries; other tracks are left out, as the TS muxer does. */
export const FMP4_CODECS: ReadonlySet<string> = new Set(["h264", "h265", "aac"]);

/** Video time is 90 kHz, as everywhere in the server (RFC 6184 5.1 and the TS clock). */
export const VIDEO_TIMESCALE = 90000;

export function isFmp4Track(track: Track): boolean {
  return FMP4_CODECS.has(track.codec);
}

/** track_ID is 1-based in MP4 (ISO 14496-12 8.3.2.3, 0 is not allowed); Track ids start at 0. */
export function mp4TrackId(track: Track): number {
  return track.id + 1;
}

/** Ticks per second of this track in the MP4: 90000 for video, the sample rate for audio. */
export function timescaleOf(track: Track): number {
  return track.kind === "video" ? VIDEO_TIMESCALE : track.sampleRate;
}

/** A timestamp in track.clockRate ticks in the MP4 timescale (the same number when the rates agree). */
export function toTimescale(ticks: number, track: Track): number {
  const scale = timescaleOf(track);
  return scale === track.clockRate ? ticks : Math.round((ticks * scale) / track.clockRate);
}

/** The sample entry (avc1, hvc1, mp4a) for a track, from its parameters. */
export function sampleEntry(track: Track): Box {
  if (track.kind === "video") return videoEntry(track);
  return audioEntry(track);
}

/** Picture size from the track, else from its SPS. */
export function videoSize(t: VideoTrack): { width: number; height: number } {
  const size = t.width && t.height ? { width: t.width, height: t.height } : t.sps && spsDimensions(t.codec, t.sps);
  if (!size) throw new MediaError(`${t.codec} track ${t.id}: picture size unknown`);
  return size;
}

function videoEntry(t: VideoTrack): Box {
  if (!t.sps || !t.pps || (t.codec === "h265" && !t.vps)) throw new MediaError(`${t.codec} track ${t.id}: parameter sets not known yet`);
  const size = videoSize(t);
  return t.codec === "h264" ? avc1(size.width, size.height, t.sps, t.pps) : hvc1(size.width, size.height, t.vps!, t.sps, t.pps);
}

function audioEntry(t: AudioTrack): Box {
  if (t.codec !== "aac") throw new MediaError(`fMP4: ${t.codec} is not carried`);
  if (t.sampleRate <= 0 || t.channels <= 0) throw new MediaError(`aac track ${t.id}: sample rate or channels unknown`);
  // Tracks from ADTS always have a config; one built from the fields is what the TS muxer assumes too.
  const config = t.config ?? buildAudioSpecificConfig({ objectType: AAC_LC, sampleRate: t.sampleRate, channels: t.channels });
  return mp4a(t.channels, t.sampleRate, config);
}
