import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import HLS from "hls-parser";
import { FFMPEG, FFPROBE } from "../helpers/peers.ts";
import { run, type RuntimeName, type ServerProcess, startServerProcess } from "../helpers/server-process.ts";

HLS.setOptions({ strictMode: true });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function playlist(url: string): Promise<HLS.types.MediaPlaylist> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("application/vnd.apple.mpegurl");
  const p = HLS.parse(await res.text()) as HLS.types.MediaPlaylist;
  for (const s of p.segments) expect(Math.round(s.duration)).toBeLessThanOrEqual(p.targetDuration);
  return p;
}

for (const runtime of ["bun", "deno"] as RuntimeName[]) {
  describe(`HLS from the demo stream on ${runtime}`, () => {
    let server: ServerProcess;
    const live = () => `${server.url}/demo/index.m3u8`;

    beforeAll(async () => {
      server = await startServerProcess(runtime, {});
    });
    afterAll(async () => {
      await server?.stop();
    });

    test("a cold stream's first playlist waits for its first segment and parses strictly", async () => {
      const started = performance.now();
      const p = await playlist(live());
      expect(p.segments.length).toBeGreaterThan(0);
      // One segment duration (2 s) plus a second: the muxer starts at the newest keyframe in the ring.
      expect(performance.now() - started).toBeLessThan(3000);
    });

    test("the playlist parses strictly over several refreshes and its media sequence advances", async () => {
      const first = await playlist(live());
      let last = first;
      for (let i = 0; i < 6; i++) {
        await sleep(1000);
        last = await playlist(live());
      }
      expect(last.mediaSequenceBase! + last.segments.length).toBeGreaterThan(first.mediaSequenceBase! + first.segments.length);
      const res = await fetch(live(), { headers: { "If-None-Match": (await fetch(live())).headers.get("etag")! } });
      expect([200, 304]).toContain(res.status);
    }, 20_000);

    test("every segment has a program date-time: consecutive, and the newest ends about now", async () => {
      const p = await playlist(live());
      const dates = p.segments.map((s) => s.programDateTime?.getTime());
      expect(dates.every((d) => d !== undefined)).toBe(true);
      for (let i = 1; i < dates.length; i++) {
        // Each date follows the previous one by that segment's duration, give or take delivery jitter.
        expect(Math.abs(dates[i]! - dates[i - 1]! - p.segments[i - 1].duration * 1000)).toBeLessThan(150);
      }
      const last = p.segments[p.segments.length - 1];
      // The newest segment was cut when the next keyframe arrived: its end is the recent past.
      const age = Date.now() - (dates[dates.length - 1]! + last.duration * 1000);
      expect(age).toBeGreaterThan(-200);
      expect(age).toBeLessThan(last.duration * 1000 + 1500);
    });

    test("ffmpeg -xerror decodes 10 s of the live playlist", async () => {
      const r = await run(FFMPEG, ["-hide_banner", "-v", "warning", "-xerror", "-i", live(), "-t", "10", "-f", "null", "-"], 60_000);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
    }, 70_000);

    test("video DTS is monotonic across segment boundaries and the demo loop point", async () => {
      // Collect every segment for more than one 8 s loop of the demo clip, as served.
      let lastMsn = -1;
      let fetched = 0;
      const parts: Uint8Array[] = [];
      const until = performance.now() + 12_000;
      while (performance.now() < until) {
        const p = await playlist(live());
        const base = p.mediaSequenceBase!;
        // Start at the newest segment, then take each new one once, in order.
        if (lastMsn < 0) lastMsn = base + p.segments.length - 2;
        for (let i = Math.max(0, lastMsn + 1 - base); i < p.segments.length; i++) {
          const res = await fetch(`${server.url}/demo/${p.segments[i].uri}`);
          expect(res.status).toBe(200);
          expect(res.headers.get("cache-control")).toContain("immutable");
          parts.push(new Uint8Array(await res.arrayBuffer()));
          lastMsn = base + i;
          fetched++;
        }
        await sleep(500);
      }
      expect(fetched).toBeGreaterThanOrEqual(5);
      const file = join(mkdtempSync(join(tmpdir(), "ms-dts-")), "all.ts");
      writeFileSync(file, Buffer.concat(parts));
      const r = await run(FFPROBE, ["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=dts_time", "-of", "csv=p=0", file], 30_000);
      expect(r.code).toBe(0);
      const dts = r.stdout
        .split("\n")
        .map((l) => l.replace(/,/g, "").trim())
        .filter(Boolean)
        .map(Number);
      expect(dts.length).toBeGreaterThan(25 * 9);
      for (let i = 1; i < dts.length; i++) {
        if (!(dts[i] > dts[i - 1])) throw new Error(`video DTS not monotonic at packet ${i}: ${dts[i - 1]} then ${dts[i]}`);
        // 25 fps: consecutive frames are 0.04 s apart, loop point included.
        expect(dts[i] - dts[i - 1]).toBeLessThan(0.1);
      }
    }, 40_000);

    test("streams are listed with their tracks, readers and counters", async () => {
      const res = await fetch(`${server.url}/v1/streams`);
      const { streams } = (await res.json()) as { streams: { path: string; tracks: { codec: string; width?: number }[]; readers: unknown[]; bytesIn: number; bytesOut: number }[] };
      const demo = streams.find((s) => s.path === "demo")!;
      expect(demo.tracks.map((t) => t.codec)).toEqual(["h264", "aac"]);
      expect(demo.tracks[0].width).toBe(640);
      expect(demo.readers.length).toBe(1);
      expect(demo.bytesIn).toBeGreaterThan(0);
      expect(demo.bytesOut).toBeGreaterThan(0);
    });

    test("bad requests get a clear 4xx", async () => {
      const cases: [string, number][] = [
        ["/nope/index.m3u8", 404],
        ["/demo/s0000_99999.ts", 404],
        ["/demo/whatever.ts", 404],
        ["/..%2F..%2Fetc/index.m3u8", 400],
        ["/demo%2F..%2F..%2Fpasswd/index.m3u8", 400],
        [`/demo/index.m3u8?${"x".repeat(10_000)}=1`, 414],
        ["/assets/..%2Fpackage.json", 404],
      ];
      for (const [path, status] of cases) {
        const res = await fetch(server.url + path);
        const body = (await res.json()) as { error: string };
        expect({ path, status: res.status }).toEqual({ path, status });
        expect(body.error.length).toBeGreaterThan(5);
      }
    });

    test("health, page and hls.js are served", async () => {
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      const page = await fetch(`${server.url}/`);
      expect(await page.text()).toContain("/assets/hls.min.js");
      const js = await fetch(`${server.url}/assets/hls.min.js`);
      expect(js.status).toBe(200);
      expect((await js.text()).length).toBeGreaterThan(100_000);
      const cors = await fetch(live(), { headers: { Origin: "http://example.test" } });
      expect(cors.headers.get("access-control-allow-origin")).toBe("*");
    });
  });
}
