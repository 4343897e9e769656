import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import HLS from "hls-parser";
import { concat, parseMp4 } from "../container/fmp4/helpers.ts";
import { type Sender, sendDemo } from "../helpers/ffmpeg-sender.ts";
import { FFMPEG, FFPROBE } from "../helpers/peers.ts";
import { freeUdpPort } from "../helpers/ports.ts";
import { ffmpegDecodes } from "../helpers/hls-decode.ts";
import { run, type RuntimeName, type ServerProcess, startServerProcess } from "../helpers/server-process.ts";

HLS.setOptions({ strictMode: true });

const SEGMENT_SECONDS = 2;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function media(url: string): Promise<HLS.types.MediaPlaylist> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("application/vnd.apple.mpegurl");
  const p = HLS.parse(await res.text());
  if (p.isMasterPlaylist) throw new Error(`${url} is a multivariant playlist`);
  return p;
}

async function multivariant(url: string): Promise<HLS.types.Variant> {
  const p = HLS.parse(await (await fetch(url)).text());
  if (!p.isMasterPlaylist) throw new Error(`${url} is a media playlist`);
  expect(p.variants.length).toBe(1);
  return p.variants[0]!;
}

async function bytes(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** The segment being written (hls-parser's trailing segment) and its published parts, hint left out. */
function liveEdge(p: HLS.types.MediaPlaylist): { msn: number; parts: number; hint: string } {
  const trailing = p.segments[p.segments.length - 1]!;
  const hint = trailing.parts.find((x) => x.hint)!;
  return { msn: p.mediaSequenceBase! + p.segments.length - 1, parts: trailing.parts.filter((x) => !x.hint).length, hint: hint.uri };
}

/** The newest published part: its segment's sequence number, index and URI. */
function newestPart(p: HLS.types.MediaPlaylist): { msn: number; index: number; uri: string } {
  for (let i = p.segments.length - 1; i >= 0; i--) {
    const parts = p.segments[i]!.parts.filter((x) => !x.hint);
    if (parts.length > 0) return { msn: p.mediaSequenceBase! + i, index: parts.length - 1, uri: parts[parts.length - 1]!.uri };
  }
  throw new Error("no part listed");
}

for (const runtime of ["bun", "deno"] as RuntimeName[]) {
  describe(`fMP4 HLS of the demo on ${runtime}`, () => {
    let server: ServerProcess;
    const base = () => `${server.url}/demo`;

    beforeAll(async () => {
      server = await startServerProcess(runtime, { hls: { variant: "fmp4" } });
    });
    afterAll(async () => {
      await server?.stop();
    });

    test("a cold stream's first playlist arrives within one segment duration plus a second and parses strictly", async () => {
      const started = performance.now();
      const p = await media(`${base()}/index.m3u8`);
      expect(performance.now() - started).toBeLessThan(SEGMENT_SECONDS * 1000 + 1000);
      expect(p.version).toBe(6);
      expect(p.segments.length).toBeGreaterThan(0);
      expect(p.segments.every((s) => s.uri.endsWith(".m4s") && s.map?.uri.endsWith(".mp4") && s.programDateTime)).toBe(true);
    });

    test("init segment and a media segment validated by mp4box: avc1 + mp4a, sync first sample, tfdt follows on", async () => {
      await sleep(2500);
      const p = await media(`${base()}/index.m3u8`);
      expect(p.segments.length).toBeGreaterThanOrEqual(2);
      const [a, b] = p.segments.slice(-2);
      const init = await bytes(`${base()}/${a!.map!.uri}`);
      const first = await bytes(`${base()}/${a!.uri}`);
      const second = await bytes(`${base()}/${b!.uri}`);
      const parsed = parseMp4(concat([init, first, second]));
      expect(parsed.complaints).toEqual([]);
      expect(parsed.info.tracks.map((t) => t.codec)).toEqual(["avc1.42c01e", "mp4a.40.2"]);
      const moofs = parsed.file.moofs;
      expect(moofs.length).toBe(2);
      const video = parsed.samples.get(1)!;
      expect(video[0]!.is_sync).toBe(true);
      // The second segment's tfdt is where the first one's samples end: no gap, no overlap.
      const firstCount = moofs[0]!.trafs.find((t) => t.tfhd!.track_id === 1)!.truns[0]!.sample_count;
      const end = video[firstCount - 1]!.dts + video[firstCount - 1]!.duration;
      expect(moofs[1]!.trafs.find((t) => t.tfhd!.track_id === 1)!.tfdt!.baseMediaDecodeTime).toBe(end);
      expect(Math.abs(video.length / 25 - (a!.duration + b!.duration))).toBeLessThan(0.001);
      const head = await fetch(`${base()}/${a!.uri}`, { method: "HEAD" });
      expect(head.headers.get("content-length")).toBe(String(first.byteLength));
      expect(head.headers.get("cache-control")).toContain("immutable");
    });

    test("multivariant playlist: CODECS, RESOLUTION, FRAME-RATE and bandwidths measured from the segments", async () => {
      const v = await multivariant(`${base()}/main.m3u8`);
      expect(v.uri).toBe("index.m3u8");
      expect(v.codecs).toBe("avc1.42c01e,mp4a.40.2");
      expect(v.resolution).toEqual({ width: 640, height: 360 });
      expect(v.frameRate).toBe(25);
      const p = await media(`${base()}/index.m3u8`);
      let bits = 0;
      let seconds = 0;
      for (const s of p.segments) {
        bits += (await bytes(`${base()}/${s.uri}`)).byteLength * 8;
        seconds += s.duration;
      }
      // Same segments, same sum: the average is what the segments weigh (the window may have moved by one).
      expect(Math.abs(v.averageBandwidth! - bits / seconds) / (bits / seconds)).toBeLessThan(0.15);
      expect(v.bandwidth).toBeGreaterThanOrEqual(v.averageBandwidth!);
    });

    test("ffmpeg -xerror decodes 10 s of the media playlist and of the multivariant one", async () => {
      await ffmpegDecodes(`${base()}/index.m3u8`);
      await ffmpegDecodes(`${base()}/main.m3u8`, 4);
    }, 40_000);
  });

  describe(`low-latency HLS of the demo on ${runtime}`, () => {
    let server: ServerProcess;
    const base = () => `${server.url}/demo`;

    beforeAll(async () => {
      server = await startServerProcess(runtime, { hls: { variant: "lowLatency", segmentCount: 10, maxBlockedRequests: 3 } });
    });
    afterAll(async () => {
      await server?.stop();
    });

    test("a cold stream's first playlist arrives within one segment duration plus a second and parses strictly", async () => {
      const started = performance.now();
      const p = await media(`${base()}/index.m3u8`);
      expect(performance.now() - started).toBeLessThan(SEGMENT_SECONDS * 1000 + 1000);
      expect(p.lowLatencyCompatibility).toMatchObject({ canBlockReload: true, canSkipUntil: 12, partHoldBack: 0.6 });
      expect(p.partTargetDuration).toBe(0.2);
      expect(p.segments[0]!.parts.length).toBe(10);
      expect(p.segments[0]!.parts[0]!.independent).toBe(true);
      expect(p.segments[0]!.programDateTime).toBeDefined();
    });

    test("blocking reload answers the moment the asked part exists, with that part as the newest", async () => {
      for (let i = 0; i < 5; i++) {
        const edge = liveEdge(await media(`${base()}/index.m3u8`));
        const started = performance.now();
        const p = await media(`${base()}/index.m3u8?_HLS_msn=${edge.msn}&_HLS_part=${edge.parts}`);
        const waited = performance.now() - started;
        const newest = newestPart(p);
        // Answered when that part appeared, not one part later; parts come every 200 ms.
        expect(newest.uri).toBe(edge.hint);
        expect(newest.msn === edge.msn ? newest.index === edge.parts : edge.parts === 0 && newest.msn === edge.msn - 1).toBe(true);
        expect(waited).toBeLessThan(1000);
        // The part the hint named is there now, immutable.
        const res = await fetch(`${base()}/${edge.hint}`);
        expect(res.status).toBe(200);
        expect(res.headers.get("cache-control")).toContain("immutable");
        await res.arrayBuffer();
      }
    });

    test("far-future or malformed directives get 400 at once", async () => {
      const edge = liveEdge(await media(`${base()}/index.m3u8`));
      for (const query of [`_HLS_msn=${edge.msn + 2}`, `_HLS_msn=${edge.msn}&_HLS_part=${edge.parts + 16}`, `_HLS_part=1`, `_HLS_msn=abc`]) {
        const started = performance.now();
        const res = await fetch(`${base()}/index.m3u8?${query}`);
        expect({ query, status: res.status }).toEqual({ query, status: 400 });
        expect(((await res.json()) as { error: string }).error.length).toBeGreaterThan(5);
        expect(performance.now() - started).toBeLessThan(500);
      }
    });

    test("blocked requests are bounded: one over hls.maxBlockedRequests gets 503 at once, the others their playlist", async () => {
      const edge = liveEdge(await media(`${base()}/index.m3u8`));
      const url = `${base()}/index.m3u8?_HLS_msn=${edge.msn + 1}&_HLS_part=2`;
      const held = [0, 1, 2].map(() => fetch(url));
      await sleep(100);
      const started = performance.now();
      const refused = await fetch(url);
      expect(refused.status).toBe(503);
      expect(performance.now() - started).toBeLessThan(500);
      await refused.arrayBuffer();
      const answers = await Promise.all(held);
      expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
      for (const r of answers) expect(r.headers.get("cache-control")).toMatch(/^public, max-age=\d+$/);
      await Promise.all(answers.map((r) => r.text()));
    });

    test("a preload-hinted part asked for before it exists is sent once complete, and is a fragment mp4box reads", async () => {
      const p = await media(`${base()}/index.m3u8`);
      const edge = liveEdge(p);
      const init = await bytes(`${base()}/${p.segments[0]!.map!.uri}`);
      const part = await bytes(`${base()}/${edge.hint}`);
      const parsed = parseMp4(concat([init, part]));
      expect(parsed.complaints).toEqual([]);
      expect(parsed.file.moofs.length).toBe(1);
      expect(parsed.samples.get(1)!.length).toBe(5);
      // A part two ahead of the hint is not hinted: 404, not held.
      const id = Number(/_p(\d+)\.m4s$/.exec(edge.hint)![1]);
      expect((await fetch(`${base()}/${edge.hint.replace(`_p${id}.`, `_p${id + 3}.`)}`)).status).toBe(404);
    });

    test("delta update: _HLS_skip=YES skips the segments past CAN-SKIP-UNTIL and parses strictly", async () => {
      // A segment can be skipped once it ends CAN-SKIP-UNTIL (12 s) before the end: seven complete segments.
      let full = await media(`${base()}/index.m3u8`);
      for (let i = 0; i < 20 && full.segments.length < 8; i++) {
        await sleep(1000);
        full = await media(`${base()}/index.m3u8`);
      }
      const delta = await media(`${base()}/index.m3u8?_HLS_skip=YES`);
      expect(delta.version).toBe(9);
      expect(delta.skip).toBeGreaterThan(0);
      expect(delta.mediaSequenceBase).toBe(full.mediaSequenceBase);
      expect(delta.segments.length + delta.skip).toBe(full.segments.length);
      expect(delta.segments[0]!.map?.uri).toBe(full.segments[0]!.map!.uri);
    }, 20_000);

    test("ffmpeg -xerror decodes 10 s of it", async () => {
      await ffmpegDecodes(`${base()}/index.m3u8`);
    }, 40_000);
  });

  describe(`per-path variants, audio-only, video-only and H.265 on ${runtime}`, () => {
    let server: ServerProcess;
    const senders: Sender[] = [];

    beforeAll(async () => {
      // libx265 with B-frames and a keyframe every second, plus AAC: the demo stream of this server, in fMP4.
      const hevc = join(mkdtempSync(join(tmpdir(), "ms-hevc-")), "hevc.ts");
      const enc = await run(
        FFMPEG,
        ["-hide_banner", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=6", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=6",
         "-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "bframes=3:keyint=25:min-keyint=25:scenecut=0:open-gop=0:log-level=error", "-c:a", "aac", "-f", "mpegts", hevc],
        60_000,
      );
      expect(enc.code).toBe(0);
      // Audio over UDP: the stream stays when the sender stops (a stalled stream, for the 503 test).
      const udpPort = await freeUdpPort();
      server = await startServerProcess(runtime, {
        hls: { variant: "fmp4" },
        demo: { enabled: true, path: "hevc", file: hevc },
        paths: {
          videoonly: { source: "publisher", hls: { variant: "mpegts" } },
          audioonly: { source: `udp://127.0.0.1:${udpPort}`, hls: { variant: "lowLatency" } },
        },
      });
      senders.push(sendDemo(`${server.url}/videoonly/ingest`, ["-an", "-method", "POST"], 50));
      senders.push(sendDemo(`udp://127.0.0.1:${udpPort}?pkt_size=1316`, ["-vn"], 50));
    }, 90_000);
    afterAll(async () => {
      for (const s of senders) await s.stop();
      await server?.stop();
    });

    test("H.265 in fMP4: hvc1 in CODECS and the init segment, ffmpeg -xerror decodes it as hevc", async () => {
      const p = await media(`${server.url}/hevc/index.m3u8`);
      const v = await multivariant(`${server.url}/hevc/main.m3u8`);
      expect(v.codecs).toMatch(/^hvc1\.[^,]+,mp4a\.40\.2$/);
      expect(v.resolution).toEqual({ width: 320, height: 240 });
      const init = parseMp4(await bytes(`${server.url}/hevc/${p.segments[0]!.map!.uri}`));
      expect(init.info.tracks[0]!.codec).toBe(v.codecs!.split(",")[0]!);
      await ffmpegDecodes(`${server.url}/hevc/index.m3u8`, 6);
      const probe = await run(FFPROBE, ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=codec_name", "-of", "csv=p=0", `${server.url}/hevc/index.m3u8`], 30_000);
      // ffprobe lists the stream under its program too.
      expect(new Set(probe.stdout.split("\n").filter((l) => l.trim()))).toEqual(new Set(["hevc"]));
    }, 40_000);

    test("video-only, its path set to mpegts: TS segments, one codec, a resolution", async () => {
      const p = await media(`${server.url}/videoonly/index.m3u8`);
      expect(p.version).toBe(3);
      expect(p.segments.every((s) => s.uri.endsWith(".ts") && !s.map)).toBe(true);
      const v = await multivariant(`${server.url}/videoonly/main.m3u8`);
      expect(v.codecs).toBe("avc1.4d401e");
      expect(v.resolution).toEqual({ width: 640, height: 360 });
      expect(v.frameRate).toBe(25);
      await ffmpegDecodes(`${server.url}/videoonly/index.m3u8`, 4);
    }, 30_000);

    test("audio-only, its path set to lowLatency: parts of whole AAC frames, all independent; no RESOLUTION", async () => {
      const p = await media(`${server.url}/audioonly/index.m3u8`);
      expect(p.partTargetDuration).toBeCloseTo(0.192, 5);
      const parts = p.segments.flatMap((s) => s.parts.filter((x) => !x.hint));
      expect(parts.length).toBeGreaterThan(5);
      expect(parts.every((x) => x.independent)).toBe(true);
      const v = await multivariant(`${server.url}/audioonly/main.m3u8`);
      expect(v.codecs).toBe("mp4a.40.2");
      expect(v.resolution).toBeUndefined();
      expect(v.frameRate).toBeUndefined();
      await ffmpegDecodes(`${server.url}/audioonly/index.m3u8`, 4);
    }, 30_000);

    test("a blocked reload on a stream that stopped gets 503 after three target durations", async () => {
      const edge = liveEdge(await media(`${server.url}/audioonly/index.m3u8`));
      await senders[1]!.stop();
      const started = performance.now();
      const res = await fetch(`${server.url}/audioonly/index.m3u8?_HLS_msn=${edge.msn + 1}`);
      const waited = performance.now() - started;
      expect(res.status).toBe(503);
      expect(((await res.json()) as { error: string }).error).toContain("did not appear");
      expect(waited).toBeGreaterThan(3 * SEGMENT_SECONDS * 1000 - 200);
      expect(waited).toBeLessThan(3 * SEGMENT_SECONDS * 1000 + 1500);
    }, 20_000);
  });
}
