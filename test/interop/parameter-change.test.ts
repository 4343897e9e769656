import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FFMPEG } from "../helpers/peers.ts";
import { run, type ServerProcess, startServerProcess } from "../helpers/server-process.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A camera that changes resolution mid-stream: two clips, the second
 * continuing the first's timestamps at another size, looped by the demo
 * source. The new SPS must reach the HLS muxer as a new track version and
 * start a segment with EXT-X-DISCONTINUITY; ffmpeg must decode straight across.
 */
describe("a mid-stream parameter change", () => {
  let server: ServerProcess;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), "ms-params-"));
    const clip = (size: string, offset: string, out: string) =>
      run(
        FFMPEG,
        ["-hide_banner", "-v", "error", "-f", "lavfi", "-i", `testsrc2=size=${size}:rate=25`, "-t", "4", "-c:v", "libx264", "-preset", "ultrafast",
         "-g", "25", "-bf", "0", "-output_ts_offset", offset, "-f", "mpegts", join(dir, out)],
        60_000,
      );
    expect((await clip("640x360", "0", "a.ts")).code).toBe(0);
    expect((await clip("320x180", "4", "b.ts")).code).toBe(0);
    const file = join(dir, "ab.ts");
    writeFileSync(file, Buffer.concat([readFileSync(join(dir, "a.ts")), readFileSync(join(dir, "b.ts"))]));
    server = await startServerProcess("bun", { demo: { enabled: true, path: "cam", file }, hls: { alwaysRemux: true } });
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
  });

  test("the playlist marks the change and ffmpeg -xerror decodes across it", async () => {
    let text = "";
    const until = performance.now() + 20_000;
    while (performance.now() < until && !text.includes("#EXT-X-DISCONTINUITY\n")) {
      await sleep(1000);
      text = await (await fetch(`${server.url}/cam/index.m3u8`)).text();
    }
    expect(text).toContain("#EXT-X-DISCONTINUITY\n");
    const { streams } = (await (await fetch(`${server.url}/v1/streams`)).json()) as { streams: { tracks: { width?: number }[] }[] };
    expect([640, 320]).toContain(streams[0].tracks[0].width!);
    const r = await run(FFMPEG, ["-hide_banner", "-v", "warning", "-xerror", "-i", `${server.url}/cam/index.m3u8`, "-t", "6", "-f", "null", "-"], 60_000);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  }, 60_000);
});
