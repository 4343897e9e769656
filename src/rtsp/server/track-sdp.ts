import type { Track } from "../../core/track.ts";
import type { MediaInfo } from "../sdp.ts";

/** Dynamic payload types from 96 (RFC 3551 6), one per track. */
const FIRST_DYNAMIC_PT = 96;
/** G.711 keeps its static payload types (RFC 3551 table 4). */
const STATIC_PT: Partial<Record<Track["codec"], number>> = { pcmu: 0, pcma: 8 };

const base64 = (b: Uint8Array) => btoa(String.fromCharCode(...b));
const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, "0")).join("");

/** The SDP media section for a track we serve, control `trackID=<id>`; undefined when RTP cannot carry it yet. */
export function trackMedia(track: Track): MediaInfo | undefined {
  const control = `trackID=${track.id}`;
  const payloadType = STATIC_PT[track.codec] ?? FIRST_DYNAMIC_PT + track.id;
  if (track.kind === "video") {
    if (track.codec === "h264") {
      const fmtp: Record<string, string> = { "packetization-mode": "1" };
      // profile-level-id: the three bytes after the SPS NAL header (RFC 6184 8.1).
      if (track.sps && track.sps.byteLength >= 4) fmtp["profile-level-id"] = hex(track.sps.subarray(1, 4));
      if (track.sps && track.pps) fmtp["sprop-parameter-sets"] = `${base64(track.sps)},${base64(track.pps)}`;
      return { type: "video", payloadType, codec: "h264", clockRate: 90000, fmtp, control };
    }
    const fmtp: Record<string, string> = {};
    if (track.vps) fmtp["sprop-vps"] = base64(track.vps);
    if (track.sps) fmtp["sprop-sps"] = base64(track.sps);
    if (track.pps) fmtp["sprop-pps"] = base64(track.pps);
    return { type: "video", payloadType, codec: "h265", clockRate: 90000, fmtp, control };
  }
  if (track.codec === "aac") {
    if (!track.config || track.sampleRate === 0) return undefined;
    // AAC-hbr with 13/3/3 AU headers (RFC 3640 3.3.6), as our packetizer writes.
    const fmtp = { "profile-level-id": "1", mode: "AAC-hbr", sizelength: "13", indexlength: "3", indexdeltalength: "3", config: hex(track.config) };
    return { type: "audio", payloadType, codec: "aac", clockRate: track.sampleRate, channels: track.channels, fmtp, control };
  }
  return { type: "audio", payloadType, codec: track.codec, clockRate: track.codec === "opus" ? 48000 : track.sampleRate, channels: track.codec === "opus" ? 2 : track.channels, fmtp: {}, control };
}
