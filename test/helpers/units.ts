import type { AccessUnit } from "../../src/core/access-unit.ts";
import type { AudioTrack, VideoTrack } from "../../src/core/track.ts";

export const video: VideoTrack = { id: 0, version: 0, kind: "video", codec: "h264", clockRate: 90000, width: 640, height: 360 };
export const audio: AudioTrack = { id: 1, version: 0, kind: "audio", codec: "aac", clockRate: 48000, sampleRate: 48000, channels: 2 };

/** A video unit at `seconds`, with `size` payload bytes. */
export function videoUnit(seconds: number, key: boolean, size = 1000, track: VideoTrack = video): AccessUnit {
  const ticks = Math.round(seconds * 90000);
  return { track, pts: ticks, dts: ticks, key, units: [new Uint8Array(size)] };
}

export function audioUnit(seconds: number, size = 200): AccessUnit {
  const ticks = Math.round(seconds * 48000);
  return { track: audio, pts: ticks, dts: ticks, key: true, units: [new Uint8Array(size)] };
}

/** `gops` GOPs of `perGop` frames at 25 fps starting at `from` seconds. */
export function gops(count: number, perGop = 25, from = 0, size = 1000): AccessUnit[] {
  const out: AccessUnit[] = [];
  for (let i = 0; i < count * perGop; i++) out.push(videoUnit(from + i / 25, i % perGop === 0, size));
  return out;
}
