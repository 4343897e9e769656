import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser } from "playwright-core";
import { launchChromium } from "../helpers/chromium.ts";
import { type ServerProcess, startServerProcess } from "../helpers/server-process.ts";

describe("the web page", () => {
  let server: ServerProcess;
  let browser: Browser;
  beforeAll(async () => {
    [server, browser] = await Promise.all([startServerProcess("bun", { hls: { alwaysRemux: true }, webrtc: { host: "127.0.0.1", interfaceAddresses: "none", announcedAddresses: ["127.0.0.1"] } }), launchChromium()]);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  test("lists the demo with its state, tracks, bitrate and readers, gives each protocol's URL, and its player shows a moving picture", async () => {
    const page = await browser.newPage();
    try {
      await page.goto(server.url + "/");
      const row = page.locator("tr.stream", { hasText: "demo" });
      await row.waitFor({ timeout: 10_000 });
      await page.waitForFunction(() => /bit\/s/.test(document.querySelector("tr.stream")?.textContent ?? "") && !/ 0 kbit/.test(document.querySelector("tr.stream")?.textContent ?? ""), null, { timeout: 10_000 });
      const cells = await row.locator("td").allTextContents();
      expect(cells[0]).toBe("demo");
      expect(cells[1]).toBe("demo running");
      expect(cells[2]).toBe("h264 640x360, aac 48 kHz");
      expect(cells[3]).toMatch(/^\d+(\.\d)? (kbit|Mbit)\/s$/);
      expect(cells[4]).toContain("hls");
      const rtspPort = new URL(server.rtspUrl!).port;
      expect(await page.locator("#url").textContent()).toBe(`${server.url}/demo/index.m3u8`);
      expect(await page.locator("#url-main").textContent()).toBe(`${server.url}/demo/main.m3u8`);
      expect(await page.locator("#url-rtsp").textContent()).toBe(`rtsp://127.0.0.1:${rtspPort}/demo`);
      expect(await page.locator("#url-whep").textContent()).toBe(`${server.url}/demo/whep`);
      // The player: frames drawn to a canvas differ from one another and are not one flat colour.
      await page.waitForFunction(() => (document.getElementById("video") as HTMLVideoElement).currentTime > 1, null, { timeout: 15_000 });
      const frames = await page.evaluate(async () => {
        const v = document.getElementById("video") as HTMLVideoElement;
        const canvas = document.createElement("canvas");
        canvas.width = 160;
        canvas.height = 90;
        const ctx = canvas.getContext("2d")!;
        const grab = () => {
          ctx.drawImage(v, 0, 0, 160, 90);
          const d = ctx.getImageData(0, 0, 160, 90).data;
          let min = 255;
          let max = 0;
          let sum = 0;
          for (let i = 0; i < d.length; i += 4) {
            min = Math.min(min, d[i]!);
            max = Math.max(max, d[i]!);
            sum += d[i]! + d[i + 1]! + d[i + 2]!;
          }
          return { spread: max - min, sum };
        };
        const a = grab();
        await new Promise((r) => setTimeout(r, 1500));
        return [a, grab(), { width: v.videoWidth, height: v.videoHeight }] as const;
      });
      expect(frames[2]).toEqual({ width: 640, height: 360 });
      expect(frames[0].spread).toBeGreaterThan(32);
      expect(frames[1].sum).not.toBe(frames[0].sum);
      expect((await page.screenshot()).byteLength).toBeGreaterThan(10_000);
    } finally {
      await page.close();
    }
  }, 60_000);

  test("its WebRTC button plays the built-in demo over WHEP: frames decoded at 640x360", async () => {
    const page = await browser.newPage();
    try {
      await page.goto(server.url + "/");
      await page.locator("tr.stream", { hasText: "demo" }).waitFor({ timeout: 10_000 });
      await page.click("#use-webrtc");
      const player = page.frameLocator("#webrtc-player");
      await player.locator("video").waitFor({ timeout: 10_000 });
      const frame = page.frames().find((f) => f.url().endsWith("/demo/webrtc"))!;
      await frame.waitForFunction(() => document.querySelector("video")!.videoWidth > 0, null, { timeout: 15_000 });
      const stats = await frame.evaluate(async () => {
        const whep = (window as unknown as { whep: { pc: RTCPeerConnection } }).whep;
        let decoded = 0;
        (await whep.pc.getStats()).forEach((r: Record<string, unknown>) => {
          if (r.type === "inbound-rtp" && r.kind === "video") decoded = r.framesDecoded as number;
        });
        const v = document.querySelector("video")!;
        return { width: v.videoWidth, height: v.videoHeight, decoded };
      });
      expect(stats.width).toBe(640);
      expect(stats.height).toBe(360);
      expect(stats.decoded).toBeGreaterThan(0);
    } finally {
      await page.close();
    }
  }, 60_000);
});
