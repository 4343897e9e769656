import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FFMPEG, FFPROBE } from "../helpers/peers.ts";
import { freeTcpPort } from "../helpers/ports.ts";
import { startCamera } from "../helpers/rtsp-camera.ts";
import { run, type ServerProcess, startServerProcess } from "../helpers/server-process.ts";
import { waitForStream } from "../helpers/stream-api.ts";
import type { StreamInfo } from "../../src/stream-info.ts";

import type { Camera } from "../helpers/rtsp-camera.ts";

/**
 * ffmpeg decodes `seconds` of a path's live HLS with -xerror from the first
 * segment listed, as a player starting at the top of the playlist: ffmpeg
 * probes only the first segment it reads, so a track missing there fails.
 */
async function decodes(server: ServerProcess, path: string, seconds = 4): Promise<void> {
  const r = await run(FFMPEG, ["-hide_banner", "-v", "warning", "-xerror", "-live_start_index", "0", "-i", `${server.url}/${path}/index.m3u8`, "-t", String(seconds), "-f", "null", "-"], 40_000);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
}

/** The audio packets in the first segment the playlist lists (the muxer's first one while the playlist is young). */
async function firstSegmentAudioPackets(server: ServerProcess, path: string): Promise<number> {
  const playlistUrl = `${server.url}/${path}/index.m3u8`;
  let playlist = "";
  for (let i = 0; i < 40 && !/#EXTINF:/.test(playlist); i++) {
    await new Promise((r) => setTimeout(r, 250));
    playlist = await (await fetch(playlistUrl)).text();
  }
  const [, uri] = /#EXTINF:[\d.]+,\s+(\S+)/.exec(playlist)!;
  const probe = await run(FFPROBE, ["-v", "error", "-count_packets", "-select_streams", "a", "-show_entries", "stream=nb_read_packets", "-of", "json", new URL(uri, playlistUrl).href], 20_000);
  expect(probe.stderr).toBe("");
  const streams = (JSON.parse(probe.stdout) as { streams: { nb_read_packets?: string }[] }).streams;
  return Number(streams[0]?.nb_read_packets ?? 0);
}

const playing = (tracks: number) => (s: StreamInfo) => s.source?.state === "running" && s.tracks.length === tracks && s.unitsIn > 50;

describe("RTSP cameras (GStreamer) pulled into HLS", () => {
  const cameras: Camera[] = [];
  let server: ServerProcess;

  beforeAll(async () => {
    const [plain, tcpOnly, h265, basic, digest, restartable] = await Promise.all([
      startCamera({ video: "h264", audio: "aac" }),
      startCamera({ video: "h264", audio: "aac", protocols: "tcp" }),
      startCamera({ video: "h265", audio: "none" }),
      startCamera({ video: "h264", audio: "aac", auth: "basic", user: "admin", password: "p@ss word" }),
      startCamera({ video: "h264", audio: "none", auth: "digest", user: "admin", password: "s3cret" }),
      startCamera({ video: "h264", audio: "aac" }),
    ]);
    cameras.push(plain, tcpOnly, h265, basic, digest, restartable);
    server = await startServerProcess("bun", {
      demo: { enabled: false },
      hls: { alwaysRemux: true },
      paths: {
        udp: { source: plain.url, transport: "udp" },
        tcp: { source: plain.url, transport: "tcp" },
        auto: { source: tcpOnly.url, transport: "auto" },
        hevc: { source: h265.url },
        basic: { source: basic.urlWithCredentials("admin", "p@ss word") },
        digest: { source: digest.urlWithCredentials("admin", "s3cret") },
        wrong: { source: digest.urlWithCredentials("admin", "nope") },
        restart: { source: restartable.url, timeout: 3 },
      },
    });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await Promise.all(cameras.map((c) => c.stop()));
  });

  for (const [path, tracks, what] of [
    ["udp", 2, "H.264 + AAC over UDP"],
    ["tcp", 2, "H.264 + AAC over TCP interleaved"],
    ["auto", 2, "auto transport falls back to TCP for a TCP-only camera"],
    ["hevc", 1, "H.265"],
    ["basic", 2, "Basic auth with a password that needs percent-encoding"],
    ["digest", 1, "Digest auth"],
  ] as const) {
    test(`${what}: both tracks, HLS decodes with -xerror`, async () => {
      const info = await waitForStream(server.url, path, playing(tracks), 20_000);
      expect(info?.source?.state).toBe("running");
      expect(info?.tracks.length).toBe(tracks);
      if (path === "auto") expect(info?.source?.counters.transportTcp).toBe(1);
      if (path === "hevc") expect(info?.tracks[0].codec).toBe("h265");
      // A player starting at the top of the playlist gets sound from its first segment on.
      if (tracks === 2) expect(await firstSegmentAudioPackets(server, path)).toBeGreaterThan(0);
      await decodes(server, path);
    }, 60_000);
  }

  test("a wrong password gives a clear error in the stream status", async () => {
    const info = await waitForStream(server.url, "wrong", (s) => (s.source?.reason ?? "").includes("401"), 15_000);
    expect(info?.source?.state).toBe("failed");
    expect(info?.source?.reason).toContain("wrong user or password");
    expect(info?.source?.url).not.toContain("nope");
  }, 30_000);

  test("the camera dies and comes back: the source reconnects and the playlist goes on", async () => {
    await waitForStream(server.url, "restart", playing(2), 20_000);
    const before = await (await fetch(`${server.url}/restart/index.m3u8`)).text();
    const msnBefore = Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(before)![1]);
    // Power cut: SIGKILL, 6 s down, then the camera starts again on the same port.
    const restarting = cameras[5].restart({ crash: true, downMs: 6000 });
    const down = await waitForStream(server.url, "restart", (s) => s.source?.state === "failed", 15_000);
    expect(down?.source?.state).toBe("failed");
    await restarting;
    const back = await waitForStream(server.url, "restart", (s) => s.source?.state === "running" && (s.source?.counters.connects ?? 0) >= 2, 40_000);
    expect(back?.source?.counters.reconnects).toBeGreaterThan(0);
    // New segments after the reconnect, numbered on from before, with a discontinuity.
    let text = "";
    for (let i = 0; i < 20 && !text.includes("#EXT-X-DISCONTINUITY"); i++) {
      await new Promise((r) => setTimeout(r, 1000));
      text = await (await fetch(`${server.url}/restart/index.m3u8`)).text();
    }
    expect(text).toContain("#EXT-X-DISCONTINUITY");
    expect(Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(text)![1])).toBeGreaterThanOrEqual(msnBefore);
    await decodes(server, "restart", 3);
  }, 90_000);
});

// Deno's plain TCP client is node:net (src/runtime/tcp.ts), Bun's is Bun.connect: the cameras above run on Bun.
describe("an RTSP camera over TCP interleaved on Deno", () => {
  let camera: Camera;
  let server: ServerProcess;
  let closedPort: number;

  beforeAll(async () => {
    camera = await startCamera({ video: "h264", audio: "aac", protocols: "tcp" });
    closedPort = await freeTcpPort();
    server = await startServerProcess("deno", {
      demo: { enabled: false },
      hls: { alwaysRemux: true },
      paths: {
        tcp: { source: camera.url, transport: "tcp" },
        nobody: { source: `rtsp://127.0.0.1:${closedPort}/stream`, transport: "tcp" },
      },
    });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await camera?.stop();
  });

  test("both tracks, HLS decodes with -xerror", async () => {
    const info = await waitForStream(server.url, "tcp", playing(2), 20_000);
    expect(info?.source?.state).toBe("running");
    expect(info?.source?.counters.transportTcp).toBe(1);
    await decodes(server, "tcp");
  }, 60_000);

  test("a camera that is not there is a clear error in the stream status", async () => {
    const info = await waitForStream(server.url, "nobody", (s) => !!s.source?.reason, 15_000);
    expect(info?.source?.reason).toContain(`ECONNREFUSED 127.0.0.1:${closedPort}`);
  }, 30_000);
});

describe("an on-demand RTSP camera", () => {
  let camera: Camera;
  let server: ServerProcess;

  beforeAll(async () => {
    camera = await startCamera({ video: "h264", audio: "aac" });
    server = await startServerProcess("bun", {
      demo: { enabled: false },
      hls: { closeAfter: 1 },
      paths: { lobby: { source: camera.url, onDemand: true, closeAfter: 1 } },
    });
  }, 30_000);
  afterAll(async () => {
    await server?.stop();
    await camera?.stop();
  });

  test("is dialled by the first viewer and hung up after the last one left", async () => {
    const idle = await waitForStream(server.url, "lobby", () => true, 1000);
    expect(idle?.source?.state).toBe("stopped");
    expect(idle?.source?.counters.connects).toBe(0);
    // The first playlist request starts the HLS muxer (a reader), which dials the camera.
    const res = await fetch(`${server.url}/lobby/index.m3u8`);
    expect(res.status).toBe(200);
    const live = await waitForStream(server.url, "lobby", (s) => s.source?.state === "running" && s.bitrate > 0, 5000);
    expect(live?.source?.counters.connects).toBe(1);
    expect(live!.bitrate).toBeGreaterThan(10_000);
    // No more requests: the muxer closes after hls.closeAfter, the camera after the path's closeAfter.
    const hungUp = await waitForStream(server.url, "lobby", (s) => s.source?.state === "stopped", 10_000);
    expect(hungUp?.source?.state).toBe("stopped");
    expect(hungUp?.readers.length).toBe(0);
  }, 40_000);
});

describe("a camera sending AAC as MP4A-LATM (GStreamer rtpmp4apay)", () => {
  let camera: Camera;
  let server: ServerProcess;

  beforeAll(async () => {
    camera = await startCamera({ video: "h264", audio: "latm" });
    server = await startServerProcess("bun", {
      demo: { enabled: false },
      hls: { alwaysRemux: true },
      paths: { latm: { source: camera.url } },
    });
  }, 30_000);
  afterAll(async () => {
    await server?.stop();
    await camera?.stop();
  });

  test("gives an AAC track with the config's rate; HLS carries it and decodes with -xerror", async () => {
    const info = await waitForStream(server.url, "latm", playing(2), 20_000);
    // The camera's rtpmap says MP4A-LATM/48000 without channels: they come from the StreamMuxConfig.
    expect(info?.tracks[1]).toMatchObject({ kind: "audio", codec: "aac", sampleRate: 48000, channels: 2, outputs: ["hls"] });
    // A finished segment: its audio stream and how many AAC frames it holds (48000 / 1024 a second).
    let playlist = "";
    for (let i = 0; i < 20 && !/#EXTINF:[\d.]+,\s+\S+\s+#EXTINF/.test(playlist); i++) {
      await new Promise((r) => setTimeout(r, 500));
      playlist = await (await fetch(`${server.url}/latm/index.m3u8`)).text();
    }
    const [, extinf, uri] = /#EXTINF:([\d.]+),\s+(\S+)/.exec(playlist)!;
    const probe = await run(FFPROBE, ["-v", "error", "-count_packets", "-select_streams", "a", "-show_entries", "stream=codec_name,sample_rate,channels,nb_read_packets", "-of", "json", new URL(uri, `${server.url}/latm/index.m3u8`).href], 20_000);
    expect(probe.stderr).toBe("");
    const [audio] = (JSON.parse(probe.stdout) as { streams: Record<string, string | number>[] }).streams;
    expect(audio).toMatchObject({ codec_name: "aac", sample_rate: "48000", channels: 2 });
    const frames = (Number(extinf) * 48000) / 1024;
    expect(Number(audio.nb_read_packets)).toBeGreaterThan(frames * 0.8);
    expect(Number(audio.nb_read_packets)).toBeLessThan(frames * 1.2 + 2);
    await decodes(server, "latm");
  }, 60_000);
});

/** A self-signed certificate for 127.0.0.1 (key and certificate in one PEM) and its SHA-256 fingerprint. */
async function selfSignedCert(): Promise<{ pem: string; fingerprint: string; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), "rtsps-"));
  const [key, cert] = [join(dir, "key.pem"), join(dir, "cert.pem")];
  const made = await run("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], 20_000);
  expect(made.code).toBe(0);
  const pem = join(dir, "camera.pem");
  writeFileSync(pem, readFileSync(cert, "utf8") + readFileSync(key, "utf8"));
  const fp = await run("openssl", ["x509", "-noout", "-fingerprint", "-sha256", "-in", cert], 10_000);
  return { pem, fingerprint: /=([0-9A-F:]+)/.exec(fp.stdout)![1], dir };
}

describe("RTSP over TLS (rtsps://) from a GStreamer camera", () => {
  const cameras: Camera[] = [];
  let cert: { pem: string; fingerprint: string; dir: string };

  beforeAll(async () => {
    cert = await selfSignedCert();
    cameras.push(
      await startCamera({ video: "h264", audio: "aac", tlsCert: cert.pem, auth: "digest", user: "admin", password: "s3cret" }),
      await startCamera({ video: "h264", audio: "none", tlsCert: cert.pem }),
    );
  }, 40_000);
  afterAll(async () => {
    await Promise.all(cameras.map((c) => c.stop()));
    if (cert) rmSync(cert.dir, { recursive: true, force: true });
  });

  // node:tls is implemented by each runtime: both get the same checks.
  for (const runtime of ["bun", "deno"] as const) {
    describe(`on ${runtime}`, () => {
      let server: ServerProcess;
      beforeAll(async () => {
        const [digest, open] = cameras;
        server = await startServerProcess(runtime, {
          demo: { enabled: false },
          hls: { alwaysRemux: true },
          paths: {
            pinned: { source: digest.urlWithCredentials("admin", "s3cret"), tlsFingerprint: cert.fingerprint },
            insecure: { source: open.url, tlsVerify: false, transport: "tcp", timeout: 3 },
            untrusted: { source: open.url },
            wrongpin: { source: open.url, tlsFingerprint: "00".repeat(32) },
          },
        });
      }, 60_000);
      afterAll(async () => {
        await server?.stop();
      });

      test("Digest auth over TLS with a pinned certificate: both tracks, interleaved, HLS decodes with -xerror", async () => {
        const info = await waitForStream(server.url, "pinned", playing(2), 20_000);
        expect(info?.source?.state).toBe("running");
        expect(info?.source?.counters.transportTcp).toBe(1);
        expect(info?.source?.url).toStartWith("rtsps://");
        await decodes(server, "pinned");
      }, 60_000);

      test("tlsVerify: false accepts the self-signed camera", async () => {
        const info = await waitForStream(server.url, "insecure", playing(1), 20_000);
        expect(info?.source?.state).toBe("running");
        await decodes(server, "insecure", 3);
      }, 60_000);

      test("an untrusted certificate with verification on is a clear error in the stream status", async () => {
        const info = await waitForStream(server.url, "untrusted", (s) => s.source?.state === "failed" && !!s.source.reason, 15_000);
        expect(info?.source?.reason).toMatch(/self.signed certificate/);
        expect(info?.source?.reason).toContain("certificate not trusted");
        expect(info?.source?.counters.packets).toBe(0);
        const pin = await waitForStream(server.url, "wrongpin", (s) => s.source?.state === "failed" && !!s.source.reason, 15_000);
        expect(pin?.source?.reason).toContain("not the configured one");
        expect(pin?.source?.reason).toContain(cert.fingerprint.replace(/:/g, "").toLowerCase());
      }, 30_000);
    });
  }

  test("the TLS camera restarts: the source reconnects over TLS", async () => {
    const server = await startServerProcess("bun", {
      demo: { enabled: false },
      hls: { alwaysRemux: true },
      paths: { cam: { source: cameras[1].url, tlsFingerprint: cert.fingerprint, timeout: 3 } },
    });
    try {
      await waitForStream(server.url, "cam", playing(1), 20_000);
      await cameras[1].restart({ crash: true, downMs: 2000 });
      const back = await waitForStream(server.url, "cam", (s) => s.source?.state === "running" && (s.source?.counters.connects ?? 0) >= 2, 40_000);
      expect(back?.source?.counters.reconnects).toBeGreaterThan(0);
      await decodes(server, "cam", 3);
    } finally {
      await server.stop();
    }
  }, 90_000);
});
