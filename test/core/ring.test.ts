import { describe, expect, test } from "bun:test";
import { Stream } from "../../src/core/stream.ts";
import { withParameters } from "../../src/core/track.ts";
import { gops, video, videoUnit } from "../helpers/units.ts";

function stream(maxDuration = 4, maxBytes = 1 << 30, slowReader: "skip" | "close" = "skip") {
  return new Stream("t", { maxDuration, maxBytes, slowReader });
}

describe("ring", () => {
  test("a new reader starts at the newest keyframe", () => {
    const s = stream();
    for (const au of gops(2)) s.push(au);
    const r = s.addReader("test");
    const first = r.read()!;
    expect(first.key).toBe(true);
    expect(first.dts).toBe(90000); // second GOP starts at 1 s
  });

  test("a reader that joins before any keyframe waits for one", () => {
    const s = stream();
    s.push(videoUnit(0, false));
    const r = s.addReader("test");
    s.push(videoUnit(0.04, false));
    expect(r.read()).toBeUndefined();
    s.push(videoUnit(0.08, true));
    expect(r.read()!.key).toBe(true);
  });

  test("eviction keeps whole GOPs and stays within duration", () => {
    const s = stream(4);
    for (const au of gops(20)) s.push(au);
    const oldest = s.ring.at(s.ring.head)!;
    expect(oldest.key).toBe(true);
    const newest = s.ring.at(s.ring.tail - 1)!;
    expect((newest.dts - oldest.dts) / 90000).toBeLessThanOrEqual(4);
  });

  test("bytes stay bounded under a stalled reader", () => {
    const maxBytes = 2 << 20;
    const s = stream(3600, maxBytes);
    const stalled = s.addReader("stalled");
    for (const au of gops(200, 25, 0, 10_000)) {
      s.push(au);
      expect(s.ring.bytes).toBeLessThanOrEqual(maxBytes);
    }
    expect(s.ring.length).toBeLessThan(300);
    // The stalled reader lost its place: it is moved to the newest keyframe and counts what it missed.
    const next = stalled.read()!;
    expect(next.key).toBe(true);
    expect(next.dts).toBe(199 * 90000);
    expect(stalled.dropped).toBe(199 * 25);
    expect(s.unitsDropped).toBe(199 * 25);
  });

  test("policy close ends a reader that fell behind", () => {
    const s = stream(2, 1 << 30, "close");
    const r = s.addReader("slow");
    for (const au of gops(10)) s.push(au);
    expect(r.read()).toBeUndefined();
    expect(r.closed).toBe(true);
    expect(r.closeReason).toContain("behind");
    expect(s.readers.size).toBe(0);
  });

  test("a fast reader sees every unit in order and the publisher never waits", async () => {
    const s = stream();
    const r = s.addReader("fast");
    const units = gops(3);
    const seen: number[] = [];
    const done = (async () => {
      const reader = r.stream().getReader();
      while (seen.length < units.length - 1) {
        const { value } = await reader.read();
        seen.push(value!.dts);
      }
    })();
    // push synchronously; the reader is woken afterwards.
    s.push(units[0]);
    for (const au of units.slice(1)) s.push(au);
    await done;
    expect(seen).toEqual(units.slice(0, -1).map((u) => u.dts));
  });

  test("parameter changes reach readers in order with the media", () => {
    const s = stream();
    const r = s.addReader("test");
    s.push(videoUnit(0, true));
    const v2 = withParameters(video, { width: 1280 });
    s.push(videoUnit(0.04, true, 100, v2));
    expect(r.read()!.track.version).toBe(0);
    expect(r.read()!.track.version).toBe(1);
    expect(s.tracks[0]!.version).toBe(1);
  });
});
