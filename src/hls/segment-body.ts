/** What a response can send: shared, refcounted bytes (a Segment or a Part). */
export interface SharedBody {
  views(): Uint8Array[];
  retain(): void;
  release(reuse?: boolean): void;
}

/**
 * A response body that sends a segment's (or part's) shared bytes as views,
 * one pool chunk per pull: a stalled client holds one reference, never a copy.
 * Default (not "bytes") type: a byte stream would detach the shared chunks.
 */
export function segmentStream(segment: SharedBody, sendTimeoutMs: number, onSent?: (bytes: number) => void): ReadableStream<Uint8Array> {
  segment.retain();
  const views = segment.views();
  let index = 0;
  let done = false;
  const finish = (reuse: boolean) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    segment.release(reuse);
  };
  // A client slower than sendTimeout is cut off; the runtime may still hold the last
  // view we gave it, so those chunks go to the GC rather than back to the pool.
  const timer = setTimeout(() => {
    finish(false);
    controller?.error(new Error("segment send timed out"));
  }, sendTimeoutMs);
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  return new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
      },
      pull(c) {
        // Pulled again only after the previous view was written out, so it is safe to recycle at the end.
        if (index >= views.length) {
          c.close();
          finish(true);
          return;
        }
        const view = views[index++];
        onSent?.(view.byteLength);
        c.enqueue(view);
      },
      cancel() {
        finish(false);
      },
    },
    { highWaterMark: 0 },
  );
}
