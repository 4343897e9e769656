import { RtspReader, type RtspItem } from "./reader.ts";

/**
 * The web-stream face of RtspReader: bytes in, items out. Error items pass
 * through like any other (the reader has already resynced past them); the
 * consumer decides whether one ends the connection.
 */
export function rtspItemStream(reader = new RtspReader()): TransformStream<Uint8Array, RtspItem> {
  return new TransformStream<Uint8Array, RtspItem>({
    transform(chunk, controller) {
      for (const item of reader.push(chunk)) controller.enqueue(item);
    },
  });
}
