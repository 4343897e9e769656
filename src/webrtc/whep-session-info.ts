import type { PeerInfo } from "./peer-session.ts";
import type { LeftOutTrack } from "./session-plan.ts";

/** What GET on a WHEP session (and /v1/webrtc/sessions) tells about it. */
export interface WhepSessionInfo extends PeerInfo {
  path: string;
  /** Tracks sent: the m-section (mid) and payload type they went into, and what was sent so far. */
  tracks: { id: number; codec: string; mid: string; payloadType: number; frames: number; packets: number; bytes: number; note?: string }[];
  /** Tracks of the stream the viewer cannot take, with the reason. */
  leftOut: LeftOutTrack[];
  framesSent: number;
  /** Frames skipped because this viewer fell behind (ours and the ring's). */
  framesDropped: number;
  /** Datagrams dropped because the socket's send queue was full (serialized sends, Deno only). */
  datagramsDropped: number;
  /** Picture loss indications from the viewer: counted, as no source can make a keyframe on demand yet. */
  pliReceived: number;
  /** Generic NACKs from the viewer; werift resends from its history. */
  nackReceived: number;
  closeReason: string | null;
}
