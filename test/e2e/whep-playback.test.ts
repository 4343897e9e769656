import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser, Page } from "playwright-core";
import type { WhepSessionInfo } from "../../src/webrtc/whep-session-info.ts";
import { launchChromium } from "../helpers/chromium.ts";
import { BFRAMES_CLIP } from "../helpers/clips.ts";
import { type RuntimeName, type ServerProcess, startServerProcess } from "../helpers/server-process.ts";

/**
 * Headless Chromium opens the server's WHEP page (/<path>/webrtc), whose ~40
 * lines of RTCPeerConnection + fetch play the path: offer, POST, answer,
 * candidates trickled by PATCH. Loopback only: the server announces
 * 127.0.0.1; Chromium hides its own addresses behind mDNS names (the server
 * drops those) and its checks reach 127.0.0.1 as a peer-reflexive candidate,
 * so no --allow-loopback-in-peer-connection is needed (tried with and without).
 *
 * The playback cases play the built-in demo as it ships. The last case feeds
 * the same picture with B-frames, which no browser decodes over WebRTC.
 */
const LOOPBACK_WEBRTC = { host: "127.0.0.1", interfaceAddresses: "none", announcedAddresses: ["127.0.0.1"] };
const DEMO = { width: 640, height: 360 };
/** From navigation to the first decoded frame (the bound). */
const FIRST_FRAME_MS = 3000;

interface VideoStats {
  packetsReceived: number;
  packetsLost: number;
  framesReceived: number;
  framesDecoded: number;
  keyFramesDecoded: number;
  framesDropped: number;
  frameWidth: number;
  frameHeight: number;
  pliCount: number;
  firCount: number;
  nackCount: number;
  /** Mean time a frame waited in the jitter buffer, ms. */
  jitterBufferMs: number;
  videoWidth: number;
  videoHeight: number;
  state: string;
  error: string | null;
}

function videoStats(page: Page): Promise<VideoStats> {
  return page.evaluate(async () => {
    const whep = (window as unknown as { whep: { pc: RTCPeerConnection; error: string | null } }).whep;
    const out: Record<string, number | string | null> = { state: whep.pc.connectionState, error: whep.error };
    (await whep.pc.getStats()).forEach((r: Record<string, number | string>) => {
      if (r.type !== "inbound-rtp" || r.kind !== "video") return;
      for (const k of ["packetsReceived", "packetsLost", "framesReceived", "framesDecoded", "keyFramesDecoded", "framesDropped", "frameWidth", "frameHeight", "pliCount", "firCount", "nackCount"]) {
        out[k] = (r[k] as number | undefined) ?? 0;
      }
      const emitted = (r.jitterBufferEmittedCount as number) || 1;
      out.jitterBufferMs = ((r.jitterBufferDelay as number) * 1000) / emitted;
    });
    const v = document.querySelector("video")!;
    out.videoWidth = v.videoWidth;
    out.videoHeight = v.videoHeight;
    return out as unknown as VideoStats;
  });
}

/**
 * Opens the player page and waits FIRST_FRAME_MS for a decoded frame. `undecryptable`: packets reached
 * Chromium's transport but no inbound RTP stream exists, the signature of SRTP it cannot authenticate.
 */
async function playUntilFirstFrame(page: Page, url: string): Promise<{ firstFrameMs: number; undecryptable: boolean }> {
  const t0 = performance.now();
  await page.goto(`${url}/demo/webrtc`);
  let firstFrameMs = Infinity;
  await until(async () => {
    const s = await videoStats(page);
    if (s.error) throw new Error(`page: ${s.error}`);
    if (s.framesDecoded > 0) firstFrameMs = performance.now() - t0;
    return s.framesDecoded > 0;
  }, FIRST_FRAME_MS);
  if (firstFrameMs <= FIRST_FRAME_MS) return { firstFrameMs, undecryptable: false };
  const seen = await page.evaluate(async () => {
    let transportBytes = 0;
    let inbound = false;
    (await (window as unknown as { whep: { pc: RTCPeerConnection } }).whep.pc.getStats()).forEach((r: Record<string, unknown>) => {
      if (r.type === "transport") transportBytes = Number(r.bytesReceived ?? 0);
      if (r.type === "inbound-rtp") inbound = true;
    });
    return { transportBytes, inbound };
  });
  console.log(`no frame in ${FIRST_FRAME_MS} ms: ${JSON.stringify(seen)}`);
  return { firstFrameMs, undecryptable: seen.transportBytes > 100_000 && !seen.inbound };
}

async function sessions(server: ServerProcess): Promise<WhepSessionInfo[]> {
  return ((await (await fetch(`${server.url}/v1/webrtc/sessions`)).json()) as { sessions: WhepSessionInfo[] }).sessions;
}

async function until(check: () => Promise<boolean>, timeoutMs: number, stepMs = 100): Promise<boolean> {
  const end = performance.now() + timeoutMs;
  while (performance.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return check();
}

let browser: Browser;
const servers = new Map<string, ServerProcess>();

beforeAll(async () => {
  const started = await Promise.allSettled([
    launchChromium().then((b) => (browser = b)),
    ...(["bun", "deno"] as RuntimeName[]).map(async (rt) => servers.set(rt, await startServerProcess(rt, { webrtc: LOOPBACK_WEBRTC, logLevel: "debug" }))),
    startServerProcess("bun", { demo: { file: BFRAMES_CLIP }, webrtc: LOOPBACK_WEBRTC }).then((s) => servers.set("bframes", s)),
  ]);
  for (const r of started) if (r.status === "rejected") throw r.reason;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([...servers.values()].map((s) => s.stop()));
});

describe("Chromium plays over WHEP from our page", () => {
  for (const runtime of ["bun", "deno"] as RuntimeName[]) {
    test(`server on ${runtime}: first frame within ${FIRST_FRAME_MS} ms, 640x360, packets in, no decode errors; trickled candidates accepted; closing the page's connection ends the session`, async () => {
      const server = servers.get(runtime)!;
      let page = await browser.newPage();
      const answers: { method: string; status: number }[] = [];
      const watch = (p: Page) =>
        p.on("response", (r) => {
          if (r.url().includes("/whep")) answers.push({ method: r.request().method(), status: r.status() });
        });
      watch(page);
      try {
        let { firstFrameMs, undecryptable } = await playUntilFirstFrame(page, server.url);
        if (undecryptable && runtime === "deno") {
          // Known, Deno only (docs/webrtc.md): in about one session in 5-10 Chromium authenticates none of
          // the server's SRTP (its log: "Failed to unprotect SRTP packet, err=7" for every packet). Logged,
          // and played once more on a new session, so the rest of the case still tests Deno.
          console.log(`${runtime}: KNOWN ISSUE: packets arrive but Chromium decrypts none; retrying with a new session`);
          await page.close();
          answers.length = 0;
          page = await browser.newPage();
          watch(page);
          ({ firstFrameMs, undecryptable } = await playUntilFirstFrame(page, server.url));
        }
        expect(undecryptable).toBe(false);
        expect(firstFrameMs).toBeLessThanOrEqual(FIRST_FRAME_MS);

        await new Promise((r) => setTimeout(r, 3000));
        const s = await videoStats(page);
        console.log(`${runtime}: first frame after ${firstFrameMs.toFixed(0)} ms; 3 s later ${JSON.stringify(s)}`);
        expect(s.state).toBe("connected");
        expect([s.frameWidth, s.frameHeight, s.videoWidth, s.videoHeight]).toEqual([DEMO.width, DEMO.height, DEMO.width, DEMO.height]);
        expect(s.packetsReceived).toBeGreaterThan(100);
        expect(s.packetsLost).toBe(0);
        // No decode errors: the decoder never asked for a picture again (a PLI or FIR is how libwebrtc
        // reports a stream it cannot decode), and every frame received by the first reading was decoded
        // or deliberately dropped by a second one 500 ms later (at any one instant one or two frames are
        // still in the decoder). Chromium drops some at the start: the viewer gets the GOP from the
        // newest keyframe at once, and what it can no longer show in time it skips to reach the live
        // edge (measured: 0-14 frames with this clip's 1 s GOP).
        await new Promise((r) => setTimeout(r, 500));
        const later = await videoStats(page);
        expect([later.pliCount, later.firCount]).toEqual([0, 0]);
        expect(later.framesDecoded + later.framesDropped).toBeGreaterThanOrEqual(s.framesReceived);
        expect(s.framesDecoded).toBeGreaterThan(50);
        expect(s.keyFramesDecoded).toBeGreaterThan(0);

        expect(answers.filter((a) => a.method === "POST")).toEqual([{ method: "POST", status: 201 }]);
        const patches = answers.filter((a) => a.method === "PATCH");
        expect(patches.length).toBeGreaterThan(0);
        for (const p of patches) expect(p.status).toBe(204);

        const id = await page.evaluate(() => String((window as unknown as { whep: { session: string } }).whep.session).split("/").pop());
        const info = (await sessions(server)).find((x) => x.id === id);
        expect(info!.tracks.map((t) => t.codec)).toEqual(["h264"]);
        expect(info!.leftOut.map((l) => l.codec)).toEqual(["aac"]);
        expect(info!.pliReceived).toBe(0);
        expect(await page.textContent("#info")).toContain("left out aac");

        // RTCPeerConnection.close() sends a DTLS close_notify: the server ends the session on it.
        await page.evaluate(() => (window as unknown as { whep: { pc: RTCPeerConnection } }).whep.pc.close());
        expect(await until(async () => (await sessions(server)).length === 0, 5000)).toBe(true);
        expect(server.log()).toContain(`session ${info!.id} on "demo" closed: the peer closed the connection (DTLS close_notify)`);
        expect((await (await fetch(`${server.url}/v1/streams`)).json()).streams[0].readers).toEqual([]);
      } finally {
        await page.close();
      }
    });
  }

  test("leaving the page sends DELETE (pagehide, keepalive fetch)", async () => {
    const server = servers.get("bun")!;
    const page = await browser.newPage();
    try {
      await page.goto(`${server.url}/demo/webrtc`);
      expect(await until(async () => (await videoStats(page)).framesDecoded > 0, 5000)).toBe(true);
      const [info] = await sessions(server);
      await page.goto("about:blank");
      expect(await until(async () => (await sessions(server)).length === 0, 5000)).toBe(true);
      expect(server.log()).toMatch(new RegExp(`session ${info!.id} on "demo" closed: (DELETE from the client|the peer closed the connection)`));
    } finally {
      await page.close();
    }
  });

  test("H.264 with B-frames and AAC: the page shows why nothing can be played", async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${servers.get("bframes")!.url}/demo/webrtc`);
      expect(await until(async () => (await videoStats(page)).error !== null, 5000)).toBe(true);
      const { error } = await videoStats(page);
      expect(error).toMatch(/B-frames/);
      expect(error).toMatch(/AAC cannot be sent over WebRTC/);
      expect(await page.textContent("#status")).toContain("error: ");
    } finally {
      await page.close();
    }
  });
});
