import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connect } from "node:net";
import { BFRAMES_CLIP } from "../helpers/clips.ts";
import { FFMPEG } from "../helpers/peers.ts";
import { rawExchange } from "../helpers/rtsp-raw.ts";
import { type Camera, startCamera } from "../helpers/rtsp-camera.ts";
import { run, type ServerProcess, startServerProcess } from "../helpers/server-process.ts";
import { waitForStream } from "../helpers/stream-api.ts";

/** ffmpeg reads `seconds` of an RTSP URL and decodes it with -xerror. */
async function ffmpegReads(url: string, transport: "tcp" | "udp", seconds = 4): Promise<{ code: number | null; stderr: string }> {
  return run(FFMPEG, ["-hide_banner", "-v", "error", "-xerror", "-rtsp_transport", transport, "-i", url, "-t", String(seconds), "-f", "null", "-"], 40_000);
}

/** GStreamer's rtspsrc decodes 100 buffers of the stream and stops (EOS from fakesink). */
function gstReads(url: string, protocol: "tcp" | "udp"): Promise<{ code: number | null; stderr: string }> {
  return run("gst-launch-1.0", ["-q", "rtspsrc", `location=${url}`, `protocols=${protocol}`, "!", "decodebin", "!", "fakesink", "num-buffers=100"], 30_000);
}

describe("the RTSP server re-serves streams to readers", () => {
  let server: ServerProcess;
  let camera: Camera;
  let rtsp: string;

  beforeAll(async () => {
    camera = await startCamera({ video: "h264", audio: "aac" });
    server = await startServerProcess("bun", {
      // The demo's picture with B-frames: readers must get decode order and the SPS's reorder depth right.
      demo: { file: BFRAMES_CLIP },
      paths: {
        cam: { source: camera.url, transport: "tcp" },
        locked: { source: camera.url, readUser: "nvr", readPassword: "s3cret" },
      },
    });
    rtsp = server.rtspUrl!;
    expect(rtsp).toStartWith("rtsp://127.0.0.1:");
    await waitForStream(server.url, "cam", (s) => s.source?.state === "running" && s.unitsIn > 50, 20_000);
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await camera?.stop();
  });

  for (const transport of ["tcp", "udp"] as const) {
    test(`ffmpeg reads the demo (with B-frames) over ${transport.toUpperCase()} and decodes without errors, past the loop point and the 5 s sender reports`, async () => {
      // ffmpeg aligns tracks on our RTCP sender reports from the first one on: a report inconsistent between tracks shows as a DTS step back.
      const r = await ffmpegReads(`${rtsp}/demo`, transport, 11);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
    }, 45_000);

    test(`GStreamer rtspsrc reads over ${transport.toUpperCase()}`, async () => {
      const r = await gstReads(`${rtsp}/demo`, transport);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
    }, 45_000);
  }

  test("a camera pulled by the RTSP client is re-served", async () => {
    const r = await ffmpegReads(`${rtsp}/cam`, "tcp");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  }, 45_000);

  test("20 readers on one stream at once, each decoding cleanly", async () => {
    // TCP: 20 ffmpeg decoders on 2 cores cannot drain UDP sockets in time, and loopback UDP loss is not what this tests.
    const results = await Promise.all(Array.from({ length: 20 }, () => ffmpegReads(`${rtsp}/demo`, "tcp", 4)));
    for (const r of results) {
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
    }
    expect((await waitForStream(server.url, "demo", () => true, 1000))?.unitsDropped).toBe(0);
  }, 90_000);

  test("reading a locked path needs its credentials (Digest)", async () => {
    const denied = await ffmpegReads(`${rtsp}/locked`, "tcp", 1);
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain("401");
    const url = rtsp.replace("rtsp://", "rtsp://nvr:s3cret@");
    const allowed = await ffmpegReads(`${url}/locked`, "tcp", 3);
    expect(allowed.stderr).toBe("");
    expect(allowed.code).toBe(0);
  }, 60_000);

  test("the same credentials guard the path's HLS (Basic)", async () => {
    const denied = await fetch(`${server.url}/locked/index.m3u8`);
    expect(denied.status).toBe(401);
    expect(denied.headers.get("WWW-Authenticate")).toStartWith("Basic ");
    const wrong = await fetch(`${server.url}/locked/index.m3u8`, { headers: { Authorization: `Basic ${btoa("nvr:nope")}` } });
    expect(wrong.status).toBe(401);
    const allowed = await fetch(`${server.url}/locked/index.m3u8`, { headers: { Authorization: `Basic ${btoa("nvr:s3cret")}` } });
    expect(allowed.status).toBe(200);
    const segment = (await allowed.text()).split("\n").find((l) => l.endsWith(".ts"));
    expect((await fetch(`${server.url}/locked/${segment}`)).status).toBe(401);
    // Other paths stay open.
    expect((await fetch(`${server.url}/cam/index.m3u8`)).status).toBe(200);
  }, 30_000);

  test("a reader kicked through the API is disconnected; the others go on", async () => {
    const rtspReaders = (s: { readers: { protocol: string; id: string; remote?: string }[] }) => s.readers.filter((r) => r.protocol === "rtsp");
    const kept = ffmpegReads(`${rtsp}/demo`, "tcp", 8);
    const one = await waitForStream(server.url, "demo", (s) => rtspReaders(s).length === 1, 10_000);
    const keptId = rtspReaders(one!)[0]!.id;
    expect(rtspReaders(one!)[0]!.remote).toContain("127.0.0.1");
    const kicked = ffmpegReads(`${rtsp}/demo`, "tcp", 30);
    const two = await waitForStream(server.url, "demo", (s) => rtspReaders(s).length === 2, 10_000);
    const target = rtspReaders(two!).find((r) => r.id !== keptId)!;
    const res = await fetch(`${server.url}/v1/streams/demo/readers/${target.id}`, { method: "DELETE" });
    expect(res.status).toBe(200);
    const started = Date.now();
    const k = await kicked;
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(k.code).not.toBeNull();
    const r = await kept;
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect((await fetch(`${server.url}/v1/streams/demo/readers/nope`, { method: "DELETE" })).status).toBe(404);
    const hls = (await waitForStream(server.url, "cam", () => true, 1000))?.readers.find((x) => x.protocol === "hls");
    if (hls) expect((await fetch(`${server.url}/v1/streams/cam/readers/${hls.id}`, { method: "DELETE" })).status).toBe(409);
  }, 60_000);

  test("pipelined requests are answered in order; a client that pipelines more than the server holds is cut off", async () => {
    const { hostname, port } = new URL(rtsp);
    const socket = connect({ host: hostname, port: Number(port) });
    let received = "";
    socket.on("data", (b) => (received += b.toString("latin1")));
    const closed = new Promise<void>((r) => socket.once("close", () => r()));
    await new Promise<void>((r) => socket.once("connect", () => r()));
    const options = (from: number, n: number) => Array.from({ length: n }, (_, i) => `OPTIONS ${rtsp} RTSP/1.0\r\nCSeq: ${from + i}\r\n\r\n`).join("");
    const cseqs = () => [...received.matchAll(/CSeq: (\d+)/g)].map((m) => Number(m[1]));
    socket.write(options(0, 20));
    const until = Date.now() + 5000;
    while (cseqs().length < 20 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(cseqs()).toEqual(Array.from({ length: 20 }, (_, i) => i));
    socket.write(options(20, 100));
    await Promise.race([closed, new Promise((r) => setTimeout(r, 5000))]);
    expect(socket.readyState).toBe("closed");
    expect(cseqs().length).toBeLessThanOrEqual(20 + 32);
    socket.destroy();
  }, 30_000);

  test("malformed and out-of-order requests get the right status, and the connection survives", async () => {
    const demo = `${rtsp}/demo`;
    const statuses = await rawExchange(rtsp, [
      "GARBAGE\r\n\r\n",
      `OPTIONS ${rtsp} RTSP/1.0\r\nCSeq: 1\r\n\r\n`,
      `DESCRIBE ${rtsp}/nope RTSP/1.0\r\nCSeq: 2\r\n\r\n`,
      `DESCRIBE ${rtsp}/..%2Fetc RTSP/1.0\r\nCSeq: 3\r\n\r\n`,
      `PLAY ${demo} RTSP/1.0\r\nCSeq: 4\r\n\r\n`,
      `SETUP ${demo}/trackID=0 RTSP/1.0\r\nCSeq: 5\r\nTransport: RTP/AVP;multicast\r\n\r\n`,
      `SETUP ${demo}/trackID=0 RTSP/1.0\r\nCSeq: 6\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\r\nSession: bogus\r\n\r\n`,
      `ANNOUNCE ${demo} RTSP/1.0\r\nCSeq: 7\r\n\r\n`, // no SDP
      `OPTIONS ${rtsp} RTSP/1.0\r\nCSeq: 8\r\n\r\n`,
    ]);
    expect(statuses).toEqual([
      expect.stringMatching(/^400 /),
      "200 OK",
      "404 Not Found",
      "400 Bad Request",
      "455 Method Not Valid in This State",
      "461 Unsupported Transport",
      "454 Session Not Found",
      "400 Bad Request",
      "200 OK",
    ]);
  }, 30_000);
});
