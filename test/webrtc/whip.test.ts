import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFrame } from "../../src/rtp/depacketizer.ts";
import { H264Depacketizer } from "../../src/rtp/h264/decoder.ts";
import type { WhipSessionInfo } from "../../src/webrtc/whip-session.ts";
import { DEMO_ASSET } from "../helpers/clips.ts";
import { type ServerProcess, startServerProcess } from "../helpers/server-process.ts";
import { streamInfo, waitForStream } from "../helpers/stream-api.ts";
import { whepClient } from "../helpers/whep-client.ts";
import { whipPublisher } from "../helpers/whip-publisher.ts";
import { audioSection, offer } from "./offers.ts";

/** WHIP with a werift publisher sending the demo clip as H.264; werift viewers over WHEP. */
let server: ServerProcess;

beforeAll(async () => {
  server = await startServerProcess("bun", {
    demo: { enabled: false },
    paths: { live: { source: "publisher" }, other: { source: "publisher" }, locked: { source: "publisher", publishUser: "enc", publishPassword: "pw" } },
    webrtc: { host: "127.0.0.1", interfaceAddresses: "none", announcedAddresses: ["127.0.0.1"], publisherKeyframeInterval: 1 },
    logLevel: "debug",
  });
});
afterAll(() => server?.stop());

async function until(check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<boolean> {
  const end = performance.now() + timeoutMs;
  while (performance.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

describe("WHIP publishing", () => {
  test("a publisher's H.264 becomes the path's stream: WHEP viewers get it, HLS serves it, keyframes are asked for, DELETE ends it", async () => {
    const pub = await whipPublisher(`${server.url}/live/whip`, DEMO_ASSET, 40);
    try {
      expect(pub.status).toBe(201);
      expect(pub.location).toMatch(/\/live\/whip\/sessions\/[0-9a-f-]{36}$/);
      expect(pub.body).toMatch(/^m=video 9 UDP\/TLS\/RTP\/SAVPF \d+\r$/m);
      const ready = await waitForStream(server.url, "live", (s) => s.tracks[0]?.width === 640 && s.unitsIn > 25, 10_000);
      expect(ready?.tracks).toEqual([expect.objectContaining({ kind: "video", codec: "h264", width: 640, height: 360 })]);
      expect(ready?.source).toMatchObject({ kind: "publisher", state: "running", url: expect.stringMatching(/^webrtc:\/\/127\.0\.0\.1:\d+$/) });

      // A second publisher on the same path is refused; so is an unconfigured path.
      const busy = await whipPublisher(`${server.url}/live/whip`, DEMO_ASSET, 1);
      await busy.close();
      expect(busy.status).toBe(409);
      const nowhere = await whipPublisher(`${server.url}/nosuch/whip`, DEMO_ASSET, 1);
      await nowhere.close();
      expect(nowhere.status).toBe(404);

      // The server asks for keyframes every publisherKeyframeInterval (1 s here).
      expect(await until(() => pub.plis() >= 2, 5000)).toBe(true);

      const viewer = await whepClient(`${server.url}/live/whep`);
      try {
        expect(viewer.status).toBe(201);
        await viewer.connected(5000);
        expect(await until(() => viewer.received.video.length > 100, 6000)).toBe(true);
        const d = new H264Depacketizer();
        const frames = viewer.received.video.flatMap((p) =>
          d.push({ marker: p.header.marker, payloadType: p.header.payloadType, sequence: p.header.sequenceNumber, timestamp: p.header.timestamp, ssrc: p.header.ssrc, payload: new Uint8Array(p.payload) }).map(copyFrame),
        );
        expect(frames[0]!.units.map((u) => u[0]! & 0x1f).slice(0, 2)).toEqual([7, 8]);
        expect(frames.length).toBeGreaterThan(20);

        // A viewer's picture loss goes on to the publisher as a PLI.
        const before = pub.plis();
        const ssrc = viewer.received.video[0]!.header.ssrc;
        await new Promise((r) => setTimeout(r, 600));
        await viewer.pc.getTransceivers()[0]!.receiver.sendRtcpPLI(ssrc);
        expect(await until(() => pub.plis() > before, 2000)).toBe(true);

        const playlist = await fetch(`${server.url}/live/index.m3u8`);
        expect(playlist.status).toBe(200);
        expect(await playlist.text()).toContain("#EXTINF");

        const info = (await (await fetch(pub.location!)).json()) as WhipSessionInfo;
        expect(info.state).toBe("connected");
        expect(info.tracks.map((t) => t.codec)).toEqual(["h264"]);
        expect(info.packets).toBeGreaterThan(100);
        expect(info.keyframeRequests).toBeGreaterThanOrEqual(2);

        expect((await fetch(pub.location!, { method: "DELETE" })).status).toBe(200);
        // The publisher left: the path's stream goes, and with it the viewer's session.
        expect(await until(async () => (await streamInfo(server.url, "live")) === undefined, 3000)).toBe(true);
        expect(await until(async () => (await fetch(viewer.location!)).status === 404, 3000)).toBe(true);
      } finally {
        await viewer.close();
      }
    } finally {
      await pub.close();
    }
  }, 60_000);

  test("publish credentials are required like for any publisher; an offer with nothing we take is a 422", async () => {
    const anonymous = await whipPublisher(`${server.url}/locked/whip`, DEMO_ASSET, 1);
    await anonymous.close();
    expect(anonymous.status).toBe(401);
    const res = await fetch(`${server.url}/other/whip`, { method: "POST", headers: { "Content-Type": "application/sdp" }, body: offer(audioSection("0", [], "sendonly")) });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: string }).error).toMatch(/no Opus offered/);
    expect(await streamInfo(server.url, "other")).toBeUndefined();
  });

  test("a publisher that goes away without a word is ended when ICE consent expires, and its path let go", async () => {
    const pub = await whipPublisher(`${server.url}/other/whip`, DEMO_ASSET, 40);
    expect(pub.status).toBe(201);
    expect(await waitForStream(server.url, "other", (s) => s.unitsIn > 10, 10_000)).toBeDefined();
    await pub.close();
    expect(await until(async () => (await streamInfo(server.url, "other")) === undefined, 45_000)).toBe(true);
    expect(server.log()).toMatch(/other: publisher .* ended: ICE or DTLS failed/);
  }, 60_000);
});
