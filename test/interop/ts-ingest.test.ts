import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createSocket } from "node:dgram";
import { FFMPEG } from "../helpers/peers.ts";
import { sendDemo } from "../helpers/ffmpeg-sender.ts";
import { ffmpegDecodes } from "../helpers/hls-decode.ts";
import { freeTcpPort, freeUdpPort } from "../helpers/ports.ts";
import { run, type RuntimeName, type ServerProcess, startServerProcess } from "../helpers/server-process.ts";
import { waitForStream } from "../helpers/stream-api.ts";

/** ffmpeg decodes `seconds` of a path's live HLS with -xerror: any decode error fails. */
async function decodes(server: ServerProcess, path: string, seconds = 4): Promise<void> {
  const r = await run(FFMPEG, ["-hide_banner", "-v", "warning", "-xerror", "-i", `${server.url}/${path}/index.m3u8`, "-t", String(seconds), "-f", "null", "-"], 40_000);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
}

const receiving = (s: { source: { state: string } | null; tracks: unknown[] }) => s.source?.state === "running" && s.tracks.length === 2;

for (const runtime of ["bun", "deno"] as RuntimeName[]) {
  describe(`MPEG-TS over UDP unicast and HTTP push on ${runtime}`, () => {
    let server: ServerProcess;
    let udpPort: number;

    beforeAll(async () => {
      udpPort = await freeUdpPort();
      server = await startServerProcess(runtime, {
        demo: { enabled: false },
        paths: {
          udp: { source: `udp://127.0.0.1:${udpPort}` },
          push: { source: "publisher", publishUser: "enc", publishPassword: "s3cret:x" },
        },
      });
    });
    afterAll(async () => {
      await server?.stop();
    });

    test("ffmpeg over UDP (pkt_size=1316): HLS decodes, no CC errors", async () => {
      const sender = sendDemo(`udp://127.0.0.1:${udpPort}?pkt_size=1316`);
      try {
        const info = await waitForStream(server.url, "udp", receiving, 10_000);
        expect(info?.source?.state).toBe("running");
        await decodes(server, "udp");
        const after = (await waitForStream(server.url, "udp", () => true, 1000))!;
        expect(after.source!.counters.datagrams).toBeGreaterThan(100);
        expect(after.source!.counters.ccErrors).toBe(0);
        expect(after.source!.counters.oddSizes).toBe(0);
        // Set with setsockopt and read back (recvmmsg path; Deno's node:dgram fallback cannot set it and reports 0).
        expect(after.source!.counters.receiveBufferGranted).toBeGreaterThan(0);
        expect(server.log()).not.toContain("UDP sources use node:dgram");
        expect(after.tracks.map((t) => t.codec)).toEqual(["h264", "aac"]);
      } finally {
        await sender.stop();
      }
    }, 60_000);

    test("ffmpeg pushes over HTTP POST with Basic auth: HLS decodes; a second publisher is refused", async () => {
      const url = `http://enc:${encodeURIComponent("s3cret:x")}@${new URL(server.url).host}/push/ingest`;
      // -auth_type basic: send credentials up front; a streamed POST body cannot be sent again after a 401.
      const sender = sendDemo(url, ["-method", "POST", "-auth_type", "basic"]);
      try {
        expect((await waitForStream(server.url, "push", receiving, 10_000))?.source?.kind).toBe("publisher");
        const auth = `Basic ${btoa("enc:s3cret:x")}`;
        const second = await fetch(`${server.url}/push/ingest`, { method: "POST", body: new Uint8Array(188), headers: { Authorization: auth } });
        expect(second.status).toBe(409);
        expect(((await second.json()) as { error: string }).error).toContain("already has a publisher");
        await decodes(server, "push");
      } finally {
        await sender.stop();
      }
      // The publisher left: its stream is gone.
      expect(await waitForStream(server.url, "push", () => false, 1500)).toBeUndefined();
    }, 60_000);

    test("publishing needs the path's credentials and a configured path", async () => {
      const body = new Uint8Array(188);
      const noAuth = await fetch(`${server.url}/push/ingest`, { method: "POST", body });
      expect(noAuth.status).toBe(401);
      expect(noAuth.headers.get("www-authenticate")).toContain("Basic");
      const wrong = await fetch(`${server.url}/push/ingest`, { method: "PUT", body, headers: { Authorization: `Basic ${btoa("enc:nope")}` } });
      expect(wrong.status).toBe(401);
      const unknown = await fetch(`${server.url}/elsewhere/ingest`, { method: "POST", body });
      expect(unknown.status).toBe(404);
      const udpPath = await fetch(`${server.url}/udp/ingest`, { method: "POST", body });
      expect(udpPath.status).toBe(404);
    });
  });

  describe(`MPEG-TS into a ring shorter than an fMP4 segment on ${runtime}`, () => {
    let server: ServerProcess;
    let udpPort: number;

    beforeAll(async () => {
      udpPort = await freeUdpPort();
      server = await startServerProcess(runtime, {
        demo: { enabled: false },
        ring: { maxDuration: 1 },
        hls: { segmentDuration: 3 },
        paths: { udp: { source: `udp://127.0.0.1:${udpPort}`, hls: { variant: "fmp4" } } },
      });
    });
    afterAll(async () => {
      await server?.stop();
    });

    // The ring drops units the fMP4 packager still holds for its 3 s fragment; their arena slabs
    // must not be reused before the fragment is written (UnitArena, AccessUnit.storage).
    test("units held past the ring keep their bytes: HLS decodes, the muxer keeps running", async () => {
      const sender = sendDemo(`udp://127.0.0.1:${udpPort}?pkt_size=1316`);
      try {
        await waitForStream(server.url, "udp", receiving, 10_000);
        await ffmpegDecodes(`${server.url}/udp/index.m3u8`, 8);
        expect(server.log()).not.toContain("HLS muxer");
      } finally {
        await sender.stop();
      }
    }, 60_000);
  });
}

describe("MPEG-TS sources on bun: multicast, loss, idle and resume, HTTP pull", () => {
  let server: ServerProcess;
  let mcPort: number;
  let lossPort: number;
  let idlePort: number;
  let pullPort: number;

  beforeAll(async () => {
    [mcPort, lossPort, idlePort, pullPort] = [await freeUdpPort(), await freeUdpPort(), await freeUdpPort(), await freeTcpPort()];
    server = await startServerProcess("bun", {
      demo: { enabled: false },
      paths: {
        mc: { source: `udp://239.255.42.7:${mcPort}?interface=127.0.0.1` },
        lossy: { source: `udp://127.0.0.1:${lossPort}` },
        idle: { source: `udp://127.0.0.1:${idlePort}`, timeout: 2 },
        pull: { source: `http://127.0.0.1:${pullPort}/live.ts`, timeout: 3 },
      },
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  test("multicast joined on the loopback interface: HLS decodes, no CC errors", async () => {
    const sender = sendDemo(`udp://239.255.42.7:${mcPort}?pkt_size=1316&localaddr=127.0.0.1`);
    try {
      expect((await waitForStream(server.url, "mc", receiving, 10_000))?.source?.state).toBe("running");
      await decodes(server, "mc");
      expect((await waitForStream(server.url, "mc", () => true, 1000))!.source!.counters.ccErrors).toBe(0);
    } finally {
      await sender.stop();
    }
  }, 60_000);

  test("1% datagram loss: the server counts CC errors and the HLS still decodes", async () => {
    // A relay that drops about one datagram in a hundred (deterministic xorshift).
    const relayPort = await freeUdpPort();
    const relay = createSocket("udp4");
    const out = createSocket("udp4");
    let seed = 0x2545f491;
    let dropped = 0;
    relay.on("message", (msg) => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      if ((seed >>> 0) % 100 === 0) return void dropped++;
      out.send(msg, lossPort, "127.0.0.1");
    });
    await new Promise<void>((r) => relay.bind(relayPort, "127.0.0.1", () => r()));
    const sender = sendDemo(`udp://127.0.0.1:${relayPort}?pkt_size=1316`);
    try {
      expect((await waitForStream(server.url, "lossy", receiving, 10_000))?.source?.state).toBe("running");
      await decodes(server, "lossy", 6);
      const info = (await waitForStream(server.url, "lossy", () => true, 1000))!;
      expect(dropped).toBeGreaterThan(0);
      expect(info.source!.counters.ccErrors).toBeGreaterThan(0);
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    } finally {
      await sender.stop();
      relay.close();
      out.close();
    }
  }, 60_000);

  test("no data for `timeout` marks the source idle; data coming back resumes it", async () => {
    let sender = sendDemo(`udp://127.0.0.1:${idlePort}?pkt_size=1316`);
    expect((await waitForStream(server.url, "idle", receiving, 10_000))?.source?.state).toBe("running");
    await sender.stop();
    const idle = await waitForStream(server.url, "idle", (s) => s.source?.state === "idle", 6000);
    expect(idle?.source?.state).toBe("idle");
    expect(idle?.source?.reason).toContain("no datagram");
    const before = idle!.unitsIn;
    sender = sendDemo(`udp://127.0.0.1:${idlePort}?pkt_size=1316`);
    try {
      const back = await waitForStream(server.url, "idle", (s) => s.source?.state === "running" && s.unitsIn > before + 50, 10_000);
      expect(back?.source?.state).toBe("running");
    } finally {
      await sender.stop();
    }
  }, 60_000);

  test("pulls MPEG-TS over HTTP from ffmpeg's own HTTP server and HLS decodes", async () => {
    const sender = sendDemo(`http://127.0.0.1:${pullPort}/live.ts`, ["-listen", "1"]);
    try {
      const info = await waitForStream(server.url, "pull", receiving, 15_000);
      expect(info?.source?.kind).toBe("http");
      expect(info?.source?.state).toBe("running");
      await decodes(server, "pull");
    } finally {
      await sender.stop();
    }
  }, 60_000);
});
