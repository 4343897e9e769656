import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { connect } from "node:net";
import { publishDemo } from "../helpers/ffmpeg-sender.ts";
import { FFMPEG } from "../helpers/peers.ts";
import { rawExchange } from "../helpers/rtsp-raw.ts";
import { run, type ServerProcess, startServerProcess } from "../helpers/server-process.ts";
import { waitForStream } from "../helpers/stream-api.ts";

const recording = (s: { source: { state: string; kind: string } | null; tracks: unknown[]; unitsIn: number }) =>
  s.source?.kind === "publisher" && s.source.state === "running" && s.tracks.length === 2 && s.unitsIn > 100;

/** The live playlist once it lists `count` segments (the HLS muxer starts with the first request). */
async function playlistWith(server: ServerProcess, path: string, count: number, timeoutMs = 20_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  let text = "";
  while (Date.now() < until) {
    const res = await fetch(`${server.url}/${path}/index.m3u8`);
    text = await res.text();
    if (res.ok && (text.match(/#EXTINF/g) ?? []).length >= count) return text;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`no ${count} segments in ${path}'s playlist within ${timeoutMs} ms:\n${text}`);
}

/** ffmpeg decodes `seconds` of `url` (HLS or RTSP) with -xerror: any decode error fails. */
async function decodes(url: string, seconds = 3, extra: string[] = []): Promise<void> {
  const r = await run(FFMPEG, ["-hide_banner", "-v", "warning", "-xerror", ...extra, "-i", url, "-t", String(seconds), "-f", "null", "-"], 40_000);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
}

const SDP = ["v=0", "o=- 0 0 IN IP4 127.0.0.1", "s=test", "t=0 0", "m=video 0 RTP/AVP 96", "a=rtpmap:96 H264/90000", "a=control:trackID=0", ""].join("\r\n");
const announce = (url: string, cseq: number, body: string, type = "application/sdp") =>
  `ANNOUNCE ${url} RTSP/1.0\r\nCSeq: ${cseq}\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

describe("RTSP publishers (ANNOUNCE/RECORD)", () => {
  let server: ServerProcess;
  let rtsp: string;

  beforeAll(async () => {
    server = await startServerProcess("bun", {
      demo: { enabled: false },
      rtsp: { port: 0, host: "127.0.0.1", rtpPort: 0, sessionTimeout: 4 },
      paths: {
        tcp: { source: "publisher" },
        udp: { source: "publisher" },
        gst: { source: "publisher" },
        busy: { source: "publisher" },
        takeover: { source: "publisher", overridePublisher: true },
        locked: { source: "publisher", publishUser: "enc", publishPassword: "s3cret" },
        raw: { source: "publisher" },
        quiet: { source: "publisher" },
        "~^field/cam[0-9]+$": { source: "publisher", publishUser: "field", publishPassword: "pw" },
        pulled: { source: "rtsp://127.0.0.1:1/none", onDemand: true },
      },
    });
    rtsp = server.rtspUrl!;
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  for (const transport of ["tcp", "udp"] as const) {
    test(`ffmpeg publishes H.264 with B-frames + AAC over ${transport.toUpperCase()}: HLS without discontinuities decodes, RTSP readers decode`, async () => {
      const publisher = publishDemo(`${rtsp}/${transport}`, transport, 40);
      try {
        const info = await waitForStream(server.url, transport, recording, 15_000);
        expect(info?.tracks.map((t) => t.codec)).toEqual(["h264", "aac"]);
        const playlist = await playlistWith(server, transport, 3);
        // Decode times derived for the B-frames rise, and audio aligned on sender reports only moves forward: no break.
        expect(playlist).not.toContain("#EXT-X-DISCONTINUITY");
        await decodes(`${server.url}/${transport}/index.m3u8`);
        await decodes(`${rtsp}/${transport}`, 3, ["-rtsp_transport", "tcp"]);
        const after = await waitForStream(server.url, transport, () => true, 1000);
        expect(after?.source?.counters).toMatchObject({ lost: 0, badPackets: 0, framesDropped: 0, transportTcp: transport === "tcp" ? 1 : 0 });
        const metrics = await (await fetch(`${server.url}/metrics`)).text();
        expect(Number(new RegExp(`^mediaserver_rtp_packets_total\\{path="${transport}"\\} (\\d+)$`, "m").exec(metrics)?.[1])).toBeGreaterThan(100);
        expect(metrics).toContain(`mediaserver_rtp_packets_lost_total{path="${transport}"} 0`);
      } finally {
        await publisher.stop();
      }
      expect(publisher.output()).toBe("");
      // The publisher left: the path is gone until the next one.
      expect(await waitForStream(server.url, transport, () => false, 3000)).toBeUndefined();
    }, 60_000);
  }

  test("GStreamer rtspclientsink (mode=RECORD) publishes; HLS decodes", async () => {
    const gst = spawn(
      "gst-launch-1.0",
      [
        "-q",
        ...["videotestsrc", "is-live=true", "num-buffers=750", "!", "video/x-raw,width=320,height=240,framerate=25/1"],
        ...["!", "x264enc", "key-int-max=25", "!", "h264parse", "!", "s.sink_0"],
        ...["audiotestsrc", "is-live=true", "!", "avenc_aac", "!", "aacparse", "!", "s.sink_1"],
        ...["rtspclientsink", "name=s", `location=${rtsp}/gst`, "protocols=tcp"],
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    let err = "";
    gst.stderr!.on("data", (b) => (err += b));
    try {
      const info = await waitForStream(server.url, "gst", recording, 15_000);
      expect(info?.tracks.map((t) => t.codec).sort()).toEqual(["aac", "h264"]);
      const playlist = await playlistWith(server, "gst", 2);
      expect(playlist).not.toContain("#EXT-X-DISCONTINUITY");
      await decodes(`${server.url}/gst/index.m3u8`);
    } finally {
      gst.kill("SIGKILL");
    }
    expect(err).toBe("");
  }, 60_000);

  test("a second publisher on a busy path is refused with 409; with overridePublisher it takes over", async () => {
    const first = publishDemo(`${rtsp}/busy`, "tcp", 30);
    const owner = publishDemo(`${rtsp}/takeover`, "tcp", 30);
    try {
      await waitForStream(server.url, "busy", recording, 15_000);
      await waitForStream(server.url, "takeover", recording, 15_000);
      await playlistWith(server, "takeover", 1); // HLS runs before the takeover, so it must mark it
      const second = publishDemo(`${rtsp}/busy`, "tcp", 5);
      expect(await second.exited).not.toBe(0);
      expect(second.output()).toContain("409");
      const successor = publishDemo(`${rtsp}/takeover`, "tcp", 30);
      try {
        // The first publisher's connection is closed: ffmpeg ends with an error.
        expect(await owner.exited).not.toBeNull();
        // The source is the successor's session now: its own packet count starts again from zero.
        const info = await waitForStream(server.url, "takeover", (s) => (s.source?.counters.packets ?? 0) > 300, 15_000);
        expect(info?.source?.state).toBe("running");
        await decodes(`${server.url}/takeover/index.m3u8`);
        // One break where the successor took over, not one per track.
        const playlist = await (await fetch(`${server.url}/takeover/index.m3u8`)).text();
        expect(playlist.match(/#EXT-X-DISCONTINUITY\n/g)?.length).toBe(1);
      } finally {
        await successor.stop();
      }
    } finally {
      await first.stop();
      await owner.stop();
    }
  }, 60_000);

  test("publishing to a locked path needs its credentials (Digest)", async () => {
    const denied = publishDemo(`${rtsp}/locked`, "tcp", 5);
    expect(await denied.exited).not.toBe(0);
    expect(denied.output()).toContain("401");
    const allowed = publishDemo(rtsp.replace("rtsp://", "rtsp://enc:s3cret@") + "/locked", "tcp", 30);
    try {
      expect((await waitForStream(server.url, "locked", recording, 15_000))?.source?.state).toBe("running");
    } finally {
      await allowed.stop();
    }
  }, 60_000);

  test("a publisher that goes quiet is closed after sessionTimeout and its path released", async () => {
    const { hostname, port } = new URL(rtsp);
    const socket = connect({ host: hostname, port: Number(port) });
    let answers = "";
    socket.on("data", (b) => (answers += b.toString("latin1")));
    const closed = new Promise<number>((r) => socket.once("close", () => r(Date.now())));
    await new Promise<void>((r) => socket.once("connect", () => r()));
    const url = `${rtsp}/quiet`;
    socket.write(announce(url, 1, SDP));
    socket.write(`SETUP ${url}/trackID=0 RTSP/1.0\r\nCSeq: 2\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1;mode=record\r\n\r\n`);
    await new Promise((r) => setTimeout(r, 300));
    const session = /Session: ([^;\r]+)/.exec(answers)?.[1];
    socket.write(`RECORD ${url} RTSP/1.0\r\nCSeq: 3\r\nSession: ${session}\r\n\r\n`);
    const recordedAt = Date.now();
    await new Promise((r) => setTimeout(r, 300));
    expect(answers.match(/RTSP\/1\.0 200 OK/g)?.length).toBe(3);
    expect(answers).toContain("timeout=4");
    const closedAt = await Promise.race([closed, new Promise<number>((r) => setTimeout(() => r(0), 10_000))]);
    expect(closedAt - recordedAt).toBeGreaterThan(3000);
    expect(closedAt - recordedAt).toBeLessThan(8000);
    expect(await waitForStream(server.url, "quiet", () => false, 1000)).toBeUndefined();
  }, 30_000);

  test("a ~pattern path takes publishers on every path it matches, with its settings", async () => {
    const publisher = publishDemo(rtsp.replace("rtsp://", "rtsp://field:pw@") + "/field/cam7", "tcp", 30);
    try {
      const info = await waitForStream(server.url, "field/cam7", recording, 15_000);
      expect(info?.source?.state).toBe("running");
      await decodes(`${server.url}/field/cam7/index.m3u8`);
    } finally {
      await publisher.stop();
    }
    const statuses = await rawExchange(rtsp, [announce(`${rtsp}/field/other`, 1, SDP), announce(`${rtsp}/field/cam8`, 2, SDP)]);
    expect(statuses).toEqual(["404 Not Found", "401 Unauthorized"]);
  }, 45_000);

  test("bad announcements and out-of-order requests get the right status; the connection survives", async () => {
    const raw = `${rtsp}/raw`;
    const statuses = await rawExchange(rtsp, [
      announce(`${rtsp}/pulled`, 1, SDP),
      announce(raw, 2, "this is no SDP"),
      announce(raw, 3, SDP.replace("H264/90000", "VP8/90000")),
      announce(raw, 4, SDP, "text/plain"),
      `SETUP ${raw}/trackID=0 RTSP/1.0\r\nCSeq: 5\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1;mode="RECORD"\r\n\r\n`,
      `RECORD ${raw} RTSP/1.0\r\nCSeq: 6\r\n\r\n`,
      announce(raw, 7, SDP),
      `SETUP ${raw}/trackID=9 RTSP/1.0\r\nCSeq: 8\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1;mode=record\r\n\r\n`,
      `RECORD ${raw} RTSP/1.0\r\nCSeq: 9\r\n\r\n`,
      `SETUP ${raw}/trackID=0 RTSP/1.0\r\nCSeq: 10\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1;mode="RECORD"\r\n\r\n`,
      `PLAY ${raw} RTSP/1.0\r\nCSeq: 11\r\n\r\n`,
      `OPTIONS ${rtsp} RTSP/1.0\r\nCSeq: 12\r\n\r\n`,
    ]);
    expect(statuses).toEqual([
      "404 Not Found", // not a publisher path
      "400 Bad Request", // not an SDP
      "415 Unsupported Media Type", // no track we take
      "415 Unsupported Media Type", // not application/sdp
      "455 Method Not Valid in This State", // mode=record without ANNOUNCE
      "455 Method Not Valid in This State", // RECORD without ANNOUNCE
      "200 OK",
      "404 Not Found", // no such announced track
      "455 Method Not Valid in This State", // RECORD before SETUP
      "200 OK", // quoted upper-case mode
      "455 Method Not Valid in This State", // PLAY while publishing
      "200 OK",
    ]);
  }, 30_000);
});
