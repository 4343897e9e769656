import { copyFrame, type DepacketizedFrame, type Depacketizer } from "./depacketizer.ts";
import type { RtpPacket } from "./packet.ts";

/**
 * A depacketizer as a web TransformStream: packets in, frames out. The
 * plain class does the work; this only moves items (DESIGN.md, werift style).
 * Backpressure is the stream's: frames wait in the readable side's queue
 * (default high-water mark 1) until the reader pulls them, so each is
 * copied out of the depacketizer's memory, which its next packet reuses.
 */
export function depacketizerStream(d: Depacketizer): TransformStream<RtpPacket, DepacketizedFrame> {
  return new TransformStream<RtpPacket, DepacketizedFrame>({
    transform(packet, controller) {
      for (const frame of d.push(packet)) controller.enqueue(copyFrame(frame));
    },
  });
}
