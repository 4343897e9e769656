import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type ChildProcess, spawn } from "node:child_process";
import type { WhepSessionInfo } from "../../src/webrtc/whep-session-info.ts";
import { DEMO_ASSET } from "../helpers/clips.ts";
import { FFMPEG } from "../helpers/peers.ts";
import { type ServerProcess, startServerProcess } from "../helpers/server-process.ts";
import { waitForStream } from "../helpers/stream-api.ts";
import { whepClient } from "../helpers/whep-client.ts";

/**
 * Opus, PCMU and PCMA pass through untouched: ffmpeg publishes over RTSP
 * (ANNOUNCE/RECORD), a werift viewer takes the path over WHEP and checks
 * the payload type the answer named, gap-free sequence numbers and
 * timestamps on the codec's clock (Opus 20 ms = 960 ticks at 48 kHz; G.711
 * one tick per byte at 8 kHz).
 */
interface Row {
  path: string;
  /** ffmpeg output options before `-f rtsp`. */
  ffmpeg: string[];
  /** rtpmap encoding name in the answer. */
  rtpmap: RegExp;
  tracks: string[];
  /** Expected RTP timestamp step for a packet of `bytes` payload. */
  step: (bytes: number) => number;
}

const ROWS: Row[] = [
  { path: "av", ffmpeg: ["-c:v", "copy", "-c:a", "libopus", "-b:a", "64k"], rtpmap: /a=rtpmap:(\d+) OPUS\/48000\/2/i, tracks: ["h264", "opus"], step: () => 960 },
  { path: "pcmu", ffmpeg: ["-vn", "-c:a", "pcm_mulaw", "-ar", "8000", "-ac", "1"], rtpmap: /a=rtpmap:(\d+) PCMU\/8000/, tracks: ["pcmu"], step: (n) => n },
  { path: "pcma", ffmpeg: ["-vn", "-c:a", "pcm_alaw", "-ar", "8000", "-ac", "1"], rtpmap: /a=rtpmap:(\d+) PCMA\/8000/, tracks: ["pcma"], step: (n) => n },
];

let server: ServerProcess;
const publishers: ChildProcess[] = [];

beforeAll(async () => {
  server = await startServerProcess("bun", {
    demo: { enabled: false },
    paths: Object.fromEntries(ROWS.map((r) => [r.path, { source: "publisher" }])),
    webrtc: { host: "127.0.0.1", interfaceAddresses: "none", announcedAddresses: ["127.0.0.1"] },
  });
  for (const row of ROWS) {
    publishers.push(
      spawn(FFMPEG, ["-hide_banner", "-v", "error", "-re", "-stream_loop", "-1", "-i", DEMO_ASSET, "-t", "40", ...row.ffmpeg, "-f", "rtsp", "-rtsp_transport", "tcp", `${server.rtspUrl}/${row.path}`], {
        stdio: "ignore",
      }),
    );
  }
});

afterAll(async () => {
  for (const p of publishers) p.kill("SIGKILL");
  await server?.stop();
});

describe("audio passes through WHEP untouched", () => {
  for (const row of ROWS) {
    test(`${row.tracks.join(" + ")} published over RTSP, received over WHEP`, async () => {
      const ready = await waitForStream(server.url, row.path, (s) => s.tracks.length === row.tracks.length && s.unitsIn > 50, 15_000);
      expect(ready?.tracks.map((t) => t.codec)).toEqual(row.tracks);
      const c = await whepClient(`${server.url}/${row.path}/whep`);
      try {
        expect(c.status).toBe(201);
        const pt = Number(row.rtpmap.exec(c.body)?.[1]);
        expect(Number.isInteger(pt)).toBe(true);
        await c.connected(5000);
        const end = Date.now() + 5000;
        while (c.received.audio.length < 40 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
        const audio = c.received.audio;
        expect(audio.length).toBeGreaterThanOrEqual(40);
        for (let i = 1; i < audio.length; i++) {
          const [a, b] = [audio[i - 1]!, audio[i]!];
          expect(b.header.payloadType).toBe(pt);
          expect(b.header.sequenceNumber).toBe((a.header.sequenceNumber + 1) & 0xffff);
          expect((b.header.timestamp - a.header.timestamp) >>> 0).toBe(row.step(a.payload.length));
        }
        if (row.tracks.includes("h264")) expect(c.received.video.length).toBeGreaterThan(10);
        const info = (await (await fetch(c.location!)).json()) as WhepSessionInfo;
        expect(info.tracks.map((t) => t.codec)).toEqual(row.tracks);
        expect(info.leftOut).toEqual([]);
        await fetch(c.location!, { method: "DELETE" });
      } finally {
        await c.close();
      }
    });
  }
});
