import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import HLS from "hls-parser";
import type { Browser } from "playwright-core";
import { launchChromium } from "../helpers/chromium.ts";
import { type RuntimeName, type ServerProcess, startServerProcess } from "../helpers/server-process.ts";
import { installProbe, measurePlayback, type Player } from "./player-probe.ts";

/**
 * Headless Chromium opens the server's own UI page (/), which plays the demo stream with the
 * hls.js it serves, or natively when the probe hides hls.js. One row per HLS variant.
 */
interface VariantRow {
  readonly variant: string;
  /** Server config that selects the variant for the demo path. */
  readonly config: object;
  /** Largest allowed Date.now() − hls.playingDate, from the playlist's target duration. */
  readonly maxLatencySeconds: (targetDuration: number) => number;
  /** What the page must ask of hls.js (its low-latency mode is on by default). */
  readonly hlsConfig: { lowLatencyMode: boolean; liveSyncDurationCount?: number };
  /** Also play it with hls.js from a server on Deno. */
  readonly deno?: boolean;
}

const CLASSIC = { lowLatencyMode: true, liveSyncDurationCount: 2 };

const VARIANTS: readonly VariantRow[] = [
  // Classic HLS: the page holds back 2 target durations (hls.js's default is RFC 8216 6.3.3's 3), plus
  // up to one until the player sees the newest segment (listed once complete; the playlist is polled).
  // The issue asks < 3 segment durations.
  { variant: "mpegts", config: {}, maxLatencySeconds: (td) => 3 * td, hlsConfig: CLASSIC, deno: true },
  { variant: "fmp4", config: { hls: { variant: "fmp4" } }, maxLatencySeconds: (td) => 3 * td, hlsConfig: CLASSIC },
  // LL-HLS: hls.js in low-latency mode holds back PART-HOLD-BACK (3 part targets, 0.6 s); the issue asks < 2.5 s.
  { variant: "lowLatency", config: { hls: { variant: "lowLatency" } }, maxLatencySeconds: () => 2.5, hlsConfig: { lowLatencyMode: true } },
];

/** The demo clip (assets/demo.ts): 640x360 H.264 at 25 fps, with a burnt-in moving clock. */
const DEMO = { width: 640, height: 360, fps: 25 };
const MEASURE_SECONDS = 6;
const START_TIMEOUT_MS = 15_000;
/** Live playback must keep wall-clock pace; a stall, a catch-up seek or wrong timestamps leave this band. */
const RATE_TOLERANCE = 0.15;

const cases: { row: VariantRow; runtime: RuntimeName; players: Player[] }[] = VARIANTS.flatMap((row) => [
  { row, runtime: "bun" as RuntimeName, players: ["hls.js", "native"] as Player[] },
  ...(row.deno ? [{ row, runtime: "deno" as RuntimeName, players: ["hls.js"] as Player[] }] : []),
]);
const servers = new Map<(typeof cases)[number], ServerProcess>();
let browser: Browser;
// Chromium 156 plays HLS itself (its built-in HLS demuxer); if a build stops doing so, the native
// case turns into a check of that answer (below) instead of failing on a video that never plays.
let nativeHls = "";

/**
 * Every server starts, and its demo playlist fills to three segments, at once and before any page
 * opens: a player on a cold stream starts on its only segment, at the live edge, and stalls until
 * the next one arrives, which would be measured as slow playback rather than the steady state.
 */
beforeAll(async () => {
  const launching = launchChromium().then((b) => (browser = b));
  // allSettled: every started server is in `servers` for afterAll, even when another one failed.
  const started = await Promise.allSettled([
    launching,
    ...cases.map(async (c) => {
      const server = await startServerProcess(c.runtime, serverConfig(c.row));
      servers.set(c, server);
      await waitForSegments(`${server.url}/demo/index.m3u8`, 3, 20_000);
    }),
  ]);
  for (const r of started) if (r.status === "rejected") throw r.reason;
  const page = await browser.newPage();
  nativeHls = await page.evaluate(() => document.createElement("video").canPlayType("application/vnd.apple.mpegurl"));
  await page.close();
}, 50_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([...servers.values()].map((s) => s.stop()));
});

/** The row's config, with the HLS muxer kept running: a server waits unrequested while others are tested, longer than closeAfter. */
function serverConfig(row: VariantRow): object {
  const hls = (row.config as { hls?: object }).hls;
  return { ...row.config, hls: { alwaysRemux: true, ...hls } };
}

async function mediaPlaylist(playlistUrl: string): Promise<HLS.types.MediaPlaylist> {
  const res = await fetch(playlistUrl, { signal: AbortSignal.timeout(10_000) });
  expect(res.status).toBe(200);
  const p = HLS.parse(await res.text());
  if (!p.isMasterPlaylist) return p as HLS.types.MediaPlaylist;
  return mediaPlaylist(new URL((p as HLS.types.MasterPlaylist).variants[0].uri, playlistUrl).href);
}

async function waitForSegments(playlistUrl: string, count: number, timeoutMs: number): Promise<void> {
  const until = performance.now() + timeoutMs;
  while ((await mediaPlaylist(playlistUrl)).segments.length < count) {
    if (performance.now() > until) throw new Error(`${playlistUrl} did not list ${count} segments within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

for (const c of cases) {
  const { row, runtime, players } = c;
  describe(`${row.variant} HLS of the demo in Chromium, server on ${runtime}`, () => {
    for (const player of players) {
      test(`${player} plays it at real time with a ${DEMO.width}x${DEMO.height} picture`, async () => {
        if (player === "native" && nativeHls === "") {
          // This Chromium build has no HLS of its own; the answer is the finding.
          console.log(`[e2e] ${row.variant}/${runtime}/native: skipped, canPlayType(application/vnd.apple.mpegurl) = ""`);
          expect(nativeHls).toBe("");
          return;
        }
        const server = servers.get(c)!;
        const page = await browser.newPage();
        try {
          await installProbe(page, player);
          await page.goto(`${server.url}/`, { timeout: 10_000 });
          const s = await measurePlayback(page, MEASURE_SECONDS, START_TIMEOUT_MS);
          const td = (await mediaPlaylist(`${server.url}/demo/index.m3u8`)).targetDuration;
          const lat = s.latencyMs.length
            ? `${(median(s.latencyMs) / 1000).toFixed(2)} s median, ${(Math.max(...s.latencyMs) / 1000).toFixed(2)} s max`
            : player === "native" ? "n/a (Chromium's video has no getStartDate)" : "n/a (no EXT-X-PROGRAM-DATE-TIME)";
          console.log(
            `[e2e] ${row.variant}/${runtime}/${player}: rate ${s.rate.toFixed(3)} over ${s.wallSeconds.toFixed(1)} s, ` +
              `${s.width}x${s.height}, frames presented ${s.framesPresented} decoded ${s.framesDecoded} dropped ${s.framesDropped}, ` +
              `waiting ${s.waiting}, latency ${lat}` + (s.hlsLatency === null ? "" : ` (hls.js's distance to the playlist's end ${s.hlsLatency.toFixed(2)} s)`) +
              `, bound ${row.maxLatencySeconds(td)} s, target duration ${td} s, hls.js errors ${JSON.stringify(s.hlsErrors)}`,
          );

          expect(s.playlistUrl).toBe(`${server.url}/demo/index.m3u8`);
          if (player === "hls.js") {
            expect(s.src.startsWith("blob:")).toBe(true);
            expect(s.hlsConfig).not.toBeNull();
            expect(s.hlsErrors.filter((e) => e.fatal)).toEqual([]);
            expect(s.hlsConfig).toEqual(row.hlsConfig);
            // Latency from the playlist's EXT-X-PROGRAM-DATE-TIME (server and browser share this clock).
            // Chromium's own HLS has no getStartDate(), so only hls.js gives a date for its position.
            expect(s.latencyMs.length).toBeGreaterThan(0);
            expect(Math.max(...s.latencyMs) / 1000).toBeLessThan(row.maxLatencySeconds(td));
          } else {
            expect(s.src).toBe(`${server.url}/demo/index.m3u8`);
            expect(s.hlsConfig).toBeNull();
          }
          expect(s.mediaError).toBeNull();
          expect(Math.abs(s.rate - 1)).toBeLessThan(RATE_TOLERANCE);
          expect({ width: s.width, height: s.height }).toEqual({ width: DEMO.width, height: DEMO.height });
          // A decoded, moving picture: frames reach the screen at more than half the clip's rate,
          // the picture is not one flat colour, and the clock burnt into it changes.
          expect(s.framesPresented).toBeGreaterThan((DEMO.fps / 2) * s.wallSeconds);
          expect(s.pictureStdDev).toBeGreaterThan(20);
          expect(s.pictureChange).toBeGreaterThan(0);
        } finally {
          await page.close();
        }
      }, 45_000);
    }
  });
}
