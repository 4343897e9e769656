import { describe, expect, spyOn, test } from "bun:test";
import { DropReport } from "../../src/core/drop-report.ts";
import type { Logger } from "../../src/core/log.ts";
import { Stream } from "../../src/core/stream.ts";

function recorder(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const push = (m: string) => void lines.push(m);
  return { log: { debug: push, info: push, warn: push, error: push }, lines };
}

describe("DropReport", () => {
  test("one line per interval, readers added up, the interval named", async () => {
    let now = 1_000_000;
    const { log, lines } = recorder();
    const r = new DropReport("cam", log, () => now);
    r.note("rtsp 10.0.0.7", 3);
    expect(lines).toEqual(["cam: readers too slow, 3 frames dropped: rtsp 10.0.0.7 3"]);
    for (let i = 0; i < 100; i++) r.note(i % 2 ? "rtsp 10.0.0.7" : "webrtc 10.0.0.9", 1);
    expect(lines).toHaveLength(1);
    now += 10_000;
    r.note("rtsp 10.0.0.7", 1);
    expect(lines[1]).toBe("cam: readers too slow, 101 frames dropped in the last 10 s: webrtc 10.0.0.9 50, rtsp 10.0.0.7 51");
    r.note("hls", 0);
    expect(lines).toHaveLength(2);
  });

  test("drops that stop are still reported when the interval ends", async () => {
    const { log, lines } = recorder();
    let now = 5_000_000;
    const r = new DropReport("cam", log, () => now);
    r.note("a", 1);
    now += 9_990;
    r.note("a", 2);
    expect(lines).toHaveLength(1);
    await new Promise((res) => setTimeout(res, 50));
    expect(lines).toHaveLength(2);
  });

  test("a ring reader that falls behind feeds its stream's report", () => {
    const lines: string[] = [];
    const spy = spyOn(console, "error").mockImplementation((line: string) => void lines.push(line));
    const stream = new Stream("s", { maxDuration: 1, maxBytes: 1 << 20, slowReader: "skip" });
    const reader = stream.addReader("rtsp", "10.0.0.7");
    const track = { id: 0, version: 0, clockRate: 90000, kind: "video" as const, codec: "h264" as const };
    for (let i = 0; i < 200; i++) stream.push({ track, pts: i * 3600, dts: i * 3600, key: i % 25 === 0, units: [new Uint8Array(10)] });
    expect(reader.read()).toBeDefined();
    spy.mockRestore();
    expect(reader.dropped).toBeGreaterThan(0);
    expect(lines.some((l) => l.includes(`s: readers too slow, ${reader.dropped} frames dropped: rtsp 10.0.0.7 ${reader.dropped}`))).toBe(true);
  });
});
