import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Browser, Page } from "playwright-core";
import { launchChromium } from "../helpers/chromium.ts";
import { type ServerProcess, startServerProcess } from "../helpers/server-process.ts";
import { waitForStream } from "../helpers/stream-api.ts";

/**
 * Chromium publishes a canvas (and a tone) over WHIP from our page
 * /live/publish?source=canvas; another Chromium page plays /live/webrtc over
 * WHEP. The canvas carries its drawing time as 24 black/white squares; the
 * viewer reads them back from each decoded frame (requestVideoFrameCallback)
 * and subtracts from its own clock, the same machine's: glass-to-glass
 * latency, minus the display itself. Printed, not asserted (timings belong
 * in benchmarks); the decoding of the squares is checked to be sane.
 */
const LOOPBACK_WEBRTC = { host: "127.0.0.1", interfaceAddresses: "none", announcedAddresses: ["127.0.0.1"] };
let browser: Browser;
let server: ServerProcess;

beforeAll(async () => {
  [browser, server] = await Promise.all([
    // The publisher's tone comes from an AudioContext, which stays suspended without a user gesture.
    launchChromium(["--autoplay-policy=no-user-gesture-required"]),
    startServerProcess("bun", { demo: { enabled: false }, paths: { live: { source: "publisher" } }, webrtc: LOOPBACK_WEBRTC }),
  ]);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** Latencies (ms) of the frames the page decodes over `seconds`, from the squares the publisher drew. */
function measureLatency(page: Page, seconds: number): Promise<{ samples: number[]; width: number; height: number }> {
  return page.evaluate(async (seconds: number) => {
    const video = document.querySelector("video")!;
    const canvas = document.createElement("canvas");
    canvas.width = 640;
    canvas.height = 360;
    const ctx = canvas.getContext("2d", { willReadFrequently: true })!;
    const samples: number[] = [];
    const luma = (x: number) => {
      const [r, g, b] = ctx.getImageData(x + 10, 30, 1, 1).data;
      return 0.299 * r! + 0.587 * g! + 0.114 * b!;
    };
    const onFrame = () => {
      const now = Date.now();
      ctx.drawImage(video, 0, 0, 640, 360);
      const threshold = (luma(0) + luma(20)) / 2;
      let sent = 0;
      for (let i = 0; i < 24; i++) if (luma(40 + 20 * i) > threshold) sent |= 1 << i;
      samples.push(((now & 0xffffff) - sent + 0x1000000) % 0x1000000);
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
    await new Promise((r) => setTimeout(r, seconds * 1000));
    return { samples, width: video.videoWidth, height: video.videoHeight };
  }, seconds);
}

test("Chromium publishes a canvas over WHIP; another page plays it over WHEP (H.264 + Opus); glass-to-glass latency measured; HLS gets the video", async () => {
  const publisher = await browser.newPage();
  const viewer = await browser.newPage();
  try {
    await publisher.goto(`${server.url}/live/publish?source=canvas`);
    const live = await waitForStream(server.url, "live", (s) => s.tracks.length === 2 && s.unitsIn > 50, 15_000);
    expect(live?.tracks.map((t) => t.codec).sort()).toEqual(["h264", "opus"]);
    expect(live?.tracks.find((t) => t.codec === "h264")).toMatchObject({ width: 640, height: 360 });

    await viewer.goto(`${server.url}/live/webrtc`);
    await viewer.waitForFunction(() => (document.querySelector("video")?.videoWidth ?? 0) > 0, null, { timeout: 5000 });
    const { samples, width, height } = await measureLatency(viewer, 5);
    expect([width, height]).toEqual([640, 360]);
    expect(samples.length).toBeGreaterThan(50);
    const sorted = [...samples].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    const p95 = sorted[Math.floor(sorted.length * 0.95)]!;
    console.log(`glass-to-glass (canvas draw → WHIP → server → WHEP → decoded frame), ${samples.length} frames: median ${median} ms, p95 ${p95} ms, min ${sorted[0]} ms`);
    // The squares decode to a time a little before now, not garbage (a wrong bit would be off by 2^i ms).
    expect(median).toBeLessThan(10_000);

    const stats = await viewer.evaluate(async () => {
      const pc = (window as unknown as { whep: { pc: RTCPeerConnection } }).whep.pc;
      const out: Record<string, number> = {};
      (await pc.getStats()).forEach((r: Record<string, number | string>) => {
        if (r.type === "inbound-rtp") out[`${r.kind}Packets`] = r.packetsReceived as number;
        if (r.type === "inbound-rtp" && r.kind === "video") out.framesDecoded = r.framesDecoded as number;
      });
      return out;
    });
    expect(stats.videoPackets).toBeGreaterThan(0);
    expect(stats.audioPackets).toBeGreaterThan(0);
    expect(stats.framesDecoded).toBeGreaterThan(0);

    // HLS (MPEG-TS) carries the H.264; Opus is not an HLS codec here, so the playlist is video only.
    const playlist = await fetch(`${server.url}/live/index.m3u8`);
    expect(playlist.status).toBe(200);
    expect(await playlist.text()).toContain("#EXTINF");
  } finally {
    await viewer.close();
    await publisher.close();
  }
});
