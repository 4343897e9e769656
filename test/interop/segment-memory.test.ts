import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import HLS from "hls-parser";
import { FFMPEG } from "../helpers/peers.ts";
import { run, type RuntimeName, type ServerProcess, startServerProcess } from "../helpers/server-process.ts";

/**
 * DESIGN.md rule 4: a viewer costs close to zero bytes of its own. 24
 * clients ask for one segment of 16 MB or more and never read; the naive
 * `new Response(uint8array)` costs ~390 MB here, we must stay under 64 MB.
 */
const CLIENTS = 24;
const MIN_SEGMENT = 16 << 20;
const MAX_GROWTH = 64 << 20;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let clip: string;

beforeAll(async () => {
  // Lossless x264 of noise: about 25 MB per 2 s GOP at 640x360; one GOP, looped by the server.
  clip = join(mkdtempSync(join(tmpdir(), "ms-big-")), "noise.ts");
  const r = await run(
    FFMPEG,
    ["-hide_banner", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25,noise=alls=100:allf=t", "-t", "2",
     "-c:v", "libx264", "-preset", "ultrafast", "-qp", "0", "-g", "50", "-keyint_min", "50", "-sc_threshold", "0", "-bf", "0", "-f", "mpegts", clip],
    120_000,
  );
  expect(r.code).toBe(0);
}, 130_000);

for (const runtime of ["bun", "deno"] as RuntimeName[]) {
  describe(`segment memory on ${runtime}`, () => {
    let server: ServerProcess;
    const sockets: Socket[] = [];

    beforeAll(async () => {
      server = await startServerProcess(runtime, {
        demo: { enabled: true, path: "big", file: clip },
        hls: { segmentCount: 3, alwaysRemux: true },
        ring: { maxDuration: 3 },
      });
    });
    afterAll(async () => {
      for (const s of sockets) s.destroy();
      await server?.stop();
    });

    test(`${CLIENTS} stalled clients on a ${MIN_SEGMENT >> 20} MB segment add less than ${MAX_GROWTH >> 20} MB RSS`, async () => {
      // Steady state first: the window and the retired segments are full and chunks are being recycled.
      let p: HLS.types.MediaPlaylist;
      for (;;) {
        p = HLS.parse(await (await fetch(`${server.url}/big/index.m3u8`)).text()) as HLS.types.MediaPlaylist;
        if (p.mediaSequenceBase! >= 5) break;
        await sleep(1000);
      }
      const uri = p.segments[p.segments.length - 1].uri;
      const size = Number((await fetch(`${server.url}/big/${uri}`, { method: "HEAD" })).headers.get("content-length"));
      expect(size).toBeGreaterThanOrEqual(MIN_SEGMENT);
      await sleep(1500);
      const before = server.rss();
      const { port, hostname } = new URL(server.url);
      for (let i = 0; i < CLIENTS; i++) {
        const s = connect({ port: Number(port), host: hostname });
        s.on("error", () => {});
        s.pause(); // never read: the server's writes back up
        s.write(`GET /big/${uri} HTTP/1.1\r\nHost: ${hostname}\r\n\r\n`);
        sockets.push(s);
      }
      await sleep(4000);
      const after = server.rss();
      const growth = after - before;
      console.log(`${runtime}: segment ${(size / 2 ** 20).toFixed(1)} MB, RSS ${(before / 2 ** 20).toFixed(0)} -> ${(after / 2 ** 20).toFixed(0)} MB (+${(growth / 2 ** 20).toFixed(1)} MB) with ${CLIENTS} stalled clients`);
      expect(growth).toBeLessThan(MAX_GROWTH);
      // The server still serves others while those clients stall.
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    }, 90_000);
  });
}
