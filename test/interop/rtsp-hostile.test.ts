import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createServer, type Server } from "node:net";
import { FFMPEG } from "../helpers/peers.ts";
import { type Camera, startCamera } from "../helpers/rtsp-camera.ts";
import { onRtspRequests } from "../helpers/rtsp-raw.ts";
import { run, type ServerProcess, startServerProcess } from "../helpers/server-process.ts";
import { waitForStream } from "../helpers/stream-api.ts";

/** A TCP server on loopback that answers each RTSP request with `answer(method, cseq)`. */
async function fakeRtsp(answer: (method: string, cseq: string) => string | Uint8Array): Promise<{ url: string; server: Server }> {
  const server = createServer((socket) => onRtspRequests(socket, (method, cseq) => socket.write(answer(method, cseq))));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const address = server.address();
  return { url: `rtsp://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/cam`, server };
}

describe("cameras that redirect or misbehave", () => {
  let camera: Camera;
  let server: ServerProcess;
  const fakes: Server[] = [];

  beforeAll(async () => {
    camera = await startCamera({ video: "h264", audio: "aac" });
    // 302 to the real camera (RFC 2326 11.3.3), as some NVRs and load balancers do.
    const redirect = await fakeRtsp((method, cseq) =>
      method === "DESCRIBE" ? `RTSP/1.0 302 Moved Temporarily\r\nCSeq: ${cseq}\r\nLocation: ${camera.url}\r\n\r\n` : `RTSP/1.0 200 OK\r\nCSeq: ${cseq}\r\nPublic: OPTIONS, DESCRIBE\r\n\r\n`,
    );
    // A header block that never ends: the reader's limit must cut it off.
    const endless = await fakeRtsp((_, cseq) => `RTSP/1.0 200 OK\r\nCSeq: ${cseq}\r\n${"X-Junk: ".padEnd(200, "z")}\r\n`.repeat(200));
    // A bogus Content-Length on DESCRIBE.
    const bogus = await fakeRtsp((method, cseq) =>
      method === "DESCRIBE" ? `RTSP/1.0 200 OK\r\nCSeq: ${cseq}\r\nContent-Type: application/sdp\r\nContent-Length: -5\r\n\r\nv=0\r\n` : `RTSP/1.0 200 OK\r\nCSeq: ${cseq}\r\n\r\n`,
    );
    fakes.push(redirect.server, endless.server, bogus.server);
    server = await startServerProcess("bun", {
      paths: {
        redirected: { source: redirect.url },
        endless: { source: endless.url, requestTimeout: 3 },
        bogus: { source: bogus.url, requestTimeout: 3 },
      },
    });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await camera?.stop();
    for (const f of fakes) f.close();
  });

  test("a 302 on DESCRIBE is followed to the real camera", async () => {
    const info = await waitForStream(server.url, "redirected", (s) => s.source?.state === "running" && s.tracks.length === 2, 20_000);
    expect(info?.source?.state).toBe("running");
    const r = await run(FFMPEG, ["-hide_banner", "-v", "warning", "-xerror", "-i", `${server.url}/redirected/index.m3u8`, "-t", "3", "-f", "null", "-"], 40_000);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  }, 60_000);

  test("oversized headers and a bogus Content-Length fail the source with a reason; it keeps retrying; others are served", async () => {
    const endless = await waitForStream(server.url, "endless", (s) => s.source?.state === "failed" && (s.source?.counters.reconnects ?? 0) >= 1, 20_000);
    expect(endless?.source?.reason ?? "").toMatch(/unreadable data from the camera|no answer/);
    const bogus = await waitForStream(server.url, "bogus", (s) => s.source?.state === "failed", 20_000);
    expect(bogus?.source?.reason ?? "").toMatch(/unreadable data from the camera|Content-Length|no answer|SDP/i);
    // The demo and the redirected camera are unaffected.
    expect((await fetch(`${server.url}/demo/index.m3u8`)).status).toBe(200);
    expect((await waitForStream(server.url, "redirected", () => true, 500))?.source?.state).toBe("running");
  }, 40_000);
});
