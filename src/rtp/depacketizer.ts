import type { RtpPacket } from "./packet.ts";

/** One access unit (video) or audio frame rebuilt from RTP packets. */
export interface DepacketizedFrame {
  /**
   * NAL units without start codes (video) or one raw AAC frame (audio):
   * views of the packet or of the depacketizer's own memory, valid until
   * the next push (copy what is kept longer).
   */
  units: Uint8Array[];
  /** RTP timestamp as received (32-bit); unwrap with RtpTimestampUnwrapper. */
  timestamp: number;
  /** A random access point: IDR (H.264), IRAP (H.265); always true for audio. */
  key: boolean;
}

/** A frame with units of its own, for keeping past the depacketizer's next push. */
export function copyFrame(f: DepacketizedFrame): DepacketizedFrame {
  return { units: f.units.map((u) => u.slice()), timestamp: f.timestamp, key: f.key };
}

export interface DepacketizerStats {
  /** Packets given to push(), duplicates and late ones included. */
  packets: number;
  framesOut: number;
  /** Frames damaged by loss or malformed packets, over a size limit, or undecodable while waiting for a keyframe. */
  framesDropped: number;
  /** Packets lost, from the sequence numbers (RFC 3550 A.3). */
  lost: number;
  /** Packets whose payload did not follow the payload format; see `lastError`. */
  malformed?: number;
}

/**
 * A payload-format decoder: packets in, complete frames out. An empty result
 * is the "need more packets" case, not an error. Damaged input never throws
 * from push(): it is counted in `stats` and described in `lastError`.
 */
export interface Depacketizer {
  push(p: RtpPacket): DepacketizedFrame[];
  readonly stats: DepacketizerStats;
  /** The latest malformed-packet description, for logs. */
  readonly lastError?: string | undefined;
}

export function emptyStats(): Required<DepacketizerStats> {
  return { packets: 0, framesOut: 0, framesDropped: 0, lost: 0, malformed: 0 };
}
