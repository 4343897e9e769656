import type { Stream } from "../core/stream.ts";

/** A source that can be asked for a keyframe (a WHIP publisher: RTCP PLI); RTSP cameras and MPEG-TS cannot. */
export interface KeyframeSource {
  requestKeyframe(): void;
}

function canMakeKeyframes(source: unknown): source is KeyframeSource {
  return typeof source === "object" && source !== null && typeof (source as Partial<KeyframeSource>).requestKeyframe === "function";
}

/** Forwards a viewer's picture loss to the stream's source when it can honour it; false when it cannot. */
export function requestKeyframe(stream: Stream): boolean {
  if (!canMakeKeyframes(stream.source)) return false;
  stream.source.requestKeyframe();
  return true;
}
