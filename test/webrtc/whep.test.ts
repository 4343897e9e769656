import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFrame } from "../../src/rtp/depacketizer.ts";
import { H264Depacketizer } from "../../src/rtp/h264/decoder.ts";
import type { WhepSessionInfo } from "../../src/webrtc/whep-session-info.ts";
import { BFRAMES_CLIP } from "../helpers/clips.ts";
import { type ServerProcess, startServerProcess } from "../helpers/server-process.ts";
import { streamInfo } from "../helpers/stream-api.ts";
import { whepClient } from "../helpers/whep-client.ts";
import { offer, h264Section } from "./offers.ts";

/** Loopback only: ICE sockets on 127.0.0.1, announced as the only host candidate. */
export const LOOPBACK_WEBRTC = { host: "127.0.0.1", interfaceAddresses: "none", announcedAddresses: ["127.0.0.1"] };

let server: ServerProcess;
let endpoint: string;

async function sessions(): Promise<WhepSessionInfo[]> {
  return ((await (await fetch(`${server.url}/v1/webrtc/sessions`)).json()) as { sessions: WhepSessionInfo[] }).sessions;
}

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const end = performance.now() + timeoutMs;
  while (performance.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

beforeAll(async () => {
  server = await startServerProcess("bun", {
    webrtc: { ...LOOPBACK_WEBRTC, connectTimeout: 3, clientIceServers: [{ urls: "stun:stun.example.net" }] },
    logLevel: "debug",
  });
  endpoint = `${server.url}/demo/whep`;
});
afterAll(async () => {
  await server?.stop();
});

describe("WHEP with a werift viewer", () => {
  test("201 with the answer, Location and ETag; H.264 flows from a keyframe with SPS/PPS in front; AAC left out with the reason", async () => {
    const c = await whepClient(endpoint);
    try {
      expect(c.status).toBe(201);
      expect(c.location).toMatch(/\/demo\/whep\/sessions\/[0-9a-f-]{36}$/);
      expect(c.etag).toMatch(/^"[^"]+"$/);
      // One payload type in the video section: the browser's Main profile entry with packetization-mode 1.
      expect(c.body).toMatch(/^m=video 9 UDP\/TLS\/RTP\/SAVPF \d+\r$/m);
      expect(c.body).toMatch(/a=fmtp:\d+ profile-level-id=4d001f;packetization-mode=1/);
      expect(c.body).toMatch(/a=candidate:\S+ 1 udp \d+ 127\.0\.0\.1 \d+ typ host/);
      await c.connected(5000);
      await until(async () => c.received.video.length > 150, 5000);

      const packets = c.received.video;
      for (let i = 1; i < packets.length; i++) expect(packets[i]!.header.sequenceNumber).toBe((packets[i - 1]!.header.sequenceNumber + 1) & 0xffff);
      const d = new H264Depacketizer();
      const frames = packets.flatMap((p) =>
        d.push({ marker: p.header.marker, payloadType: p.header.payloadType, sequence: p.header.sequenceNumber, timestamp: p.header.timestamp, ssrc: p.header.ssrc, payload: new Uint8Array(p.payload) }).map(copyFrame),
      );
      expect(frames.length).toBeGreaterThan(20);
      expect(frames[0]!.units.map((u) => u[0]! & 0x1f).slice(0, 2)).toEqual([7, 8]);
      expect(frames[0]!.units.some((u) => (u[0]! & 0x1f) === 5)).toBe(true);
      // 25 fps, no B-frames: presentation times 3600 ticks apart, in order.
      for (let i = 1; i < frames.length; i++) expect((frames[i]!.timestamp - frames[i - 1]!.timestamp) >>> 0).toBe(3600);

      const info = (await (await fetch(c.location!)).json()) as WhepSessionInfo;
      expect(info.state).toBe("connected");
      expect(info.candidatePair).toMatch(/^127\.0\.0\.1:\d+ \(host\) -> 127\.0\.0\.1:\d+/);
      expect(info.tracks.map((t) => t.codec)).toEqual(["h264"]);
      expect(info.tracks[0]!.packets).toBeGreaterThanOrEqual(packets.length);
      expect(info.leftOut).toEqual([{ id: 1, codec: "aac", reason: expect.stringMatching(/AAC cannot be sent over WebRTC/) }]);
      expect((await streamInfo(server.url, "demo"))!.readers.filter((r) => r.protocol === "webrtc")).toHaveLength(1);
      expect(await (await fetch(`${server.url}/metrics`)).text()).toContain("mediaserver_webrtc_sessions 1");

      const del = await fetch(c.location!, { method: "DELETE" });
      expect(del.status).toBe(200);
      expect(((await del.json()) as WhepSessionInfo).closeReason).toBe("DELETE from the client");
      expect((await fetch(c.location!)).status).toBe(404);
      expect((await streamInfo(server.url, "demo"))!.readers.filter((r) => r.protocol === "webrtc")).toHaveLength(0);
    } finally {
      await c.close();
    }
  });

  test("the session's reader shows the viewer's address; kicking it (DELETE /v1/streams/…/readers/<id>) ends the session", async () => {
    const c = await whepClient(endpoint);
    try {
      await c.connected(5000);
      let reader: { id: string; protocol: string; remote?: string } | undefined;
      await until(async () => {
        reader = (await streamInfo(server.url, "demo"))!.readers.find((r) => r.protocol === "webrtc");
        return reader?.remote?.startsWith("127.0.0.1:") === true;
      }, 3000);
      expect(reader?.remote).toMatch(/^127\.0\.0\.1:\d+$/);
      expect((await fetch(`${server.url}/v1/streams/demo/readers/${reader!.id}`, { method: "DELETE" })).status).toBeLessThan(300);
      expect(await until(async () => (await fetch(c.location!)).status === 404, 3000)).toBe(true);
    } finally {
      await c.close();
    }
  });

  test("a viewer that never connects is closed after connectTimeout", async () => {
    const c = await whepClient(endpoint, { applyAnswer: false });
    try {
      expect(c.status).toBe(201);
      expect((await fetch(c.location!)).status).toBe(200);
      expect(await until(async () => (await fetch(c.location!)).status === 404, 6000)).toBe(true);
      expect(server.log()).toContain("closed: not connected within 3 s (ICE or DTLS)");
    } finally {
      await c.close();
    }
  });

  test("a viewer that goes without a word (werift sends no DTLS close_notify) is closed when ICE consent expires", async () => {
    const c = await whepClient(endpoint);
    await c.connected(5000);
    const id = c.location!.split("/").pop()!;
    expect((await sessions()).map((s) => s.id)).toContain(id);
    await c.close();
    // RFC 7675: consent expires 30 s after the last answered check (checks every ~5 s).
    expect(await until(async () => !(await sessions()).some((s) => s.id === id), 45_000)).toBe(true);
    expect(server.log()).toContain(`session ${id} on "demo" closed: ICE or DTLS failed`);
    expect(await sessions()).toEqual([]);
    expect((await streamInfo(server.url, "demo"))!.readers.filter((r) => r.protocol === "webrtc")).toHaveLength(0);
  }, 60_000);
});

describe("WHEP requests that cannot be served", () => {
  const post = (url: string, body: string, type = "application/sdp") => fetch(url, { method: "POST", headers: { "Content-Type": type }, body });

  test("a bad offer is a 400 with the reason as JSON", async () => {
    const res = await post(endpoint, "hello");
    expect(res.status).toBe(400);
    expect(res.headers.get("Content-Type")).toContain("application/json");
    expect(((await res.json()) as { error: string }).error).toMatch(/must start with "v=0"/);
    const noIce = await post(endpoint, offer(h264Section(96, "packetization-mode=1")).replace(/a=ice-ufrag:.*\r\n/, ""));
    expect(noIce.status).toBe(400);
    expect(((await noIce.json()) as { error: string }).error).toMatch(/no ICE credentials/);
  });

  test("an offer no track fits is a 422 listing every track and why", async () => {
    const res = await post(endpoint, offer(h264Section(96, "packetization-mode=0;profile-level-id=42e01f")));
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: string; leftOut: { codec: string; reason: string }[] };
    expect(body.leftOut.map((l) => l.codec)).toEqual(["h264", "aac"]);
    expect(body.error).toMatch(/packetization-mode 0/);
  });

  test("wrong media type 415, unknown path 404, bad path 400, oversized 413, GET on the endpoint 405", async () => {
    expect((await post(endpoint, offer(h264Section(96, "packetization-mode=1")), "text/plain")).status).toBe(415);
    expect((await post(`${server.url}/nosuch/whep`, offer(h264Section(96, "packetization-mode=1")))).status).toBe(404);
    expect((await post(`${server.url}/a%2F..%2Fb/whep`, offer(h264Section(96, "packetization-mode=1")))).status).toBe(400);
    expect((await post(endpoint, "v=0\r\n" + "a=x\r\n".repeat(20_000))).status).toBe(413);
    const get = await fetch(endpoint);
    expect(get.status).toBe(405);
    expect(get.headers.get("Allow")).toBe("OPTIONS, POST");
  });

  test("CORS: the preflight allows POST/PATCH/DELETE; the answer exposes Location, ETag and Link; ICE servers in Link", async () => {
    const pre = await fetch(endpoint, {
      method: "OPTIONS",
      headers: { Origin: "http://player.example", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type" },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get("Access-Control-Allow-Methods")).toMatch(/POST.*DELETE.*PATCH|POST.*PATCH.*DELETE/);
    expect(pre.headers.get("Access-Control-Allow-Headers")).toContain("content-type");
    const c = await whepClient(endpoint, { headers: { Origin: "http://player.example" }, applyAnswer: false });
    try {
      expect(c.status).toBe(201);
      const res = await fetch(c.location!, { headers: { Origin: "http://player.example" } });
      const exposed = res.headers.get("Access-Control-Expose-Headers") ?? "";
      for (const h of ["Location", "ETag", "Link"]) expect(exposed).toContain(h);
    } finally {
      await fetch(c.location!, { method: "DELETE" });
      await c.close();
    }
  });

  test("the 201 carries Link headers for clientIceServers and Accept-Patch for trickle", async () => {
    const pc = await whepClient(endpoint, { applyAnswer: false });
    try {
      const res = await fetch(endpoint, { method: "POST", headers: { "Content-Type": "application/sdp" }, body: pc.pc.localDescription!.sdp });
      expect(res.status).toBe(201);
      expect(res.headers.get("Link")).toBe('<stun:stun.example.net>; rel="ice-server"');
      expect(res.headers.get("Accept-Patch")).toBe("application/trickle-ice-sdpfrag");
      await fetch(new URL(res.headers.get("Location")!, endpoint), { method: "DELETE" });
    } finally {
      await fetch(pc.location!, { method: "DELETE" });
      await pc.close();
    }
  });
});

describe("PATCH (trickle ICE, RFC 9725 4.3.1)", () => {
  const FRAG = "application/trickle-ice-sdpfrag";
  test("candidates 204; wrong entity tag 412; ICE restart 422; wrong type 415; garbage 400; unknown session 404", async () => {
    const c = await whepClient(endpoint, { applyAnswer: false });
    try {
      const ufrag = /a=ice-ufrag:(\S+)/.exec(c.pc.localDescription!.sdp)![1];
      const frag = (u: string) => `a=ice-ufrag:${u}\r\na=ice-pwd:whatever\r\nm=video 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\na=candidate:1 1 udp 2122260223 127.0.0.1 40000 typ host\r\n`;
      const patch = (body: string, headers: Record<string, string>) => fetch(c.location!, { method: "PATCH", headers: { "Content-Type": FRAG, ...headers }, body });
      expect((await patch(frag(ufrag!), { "If-Match": c.etag! })).status).toBe(204);
      expect((await patch(frag(ufrag!), { "If-Match": '"stale"' })).status).toBe(412);
      const restart = await patch(frag("newufrag"), { "If-Match": "*" });
      expect(restart.status).toBe(422);
      expect(((await restart.json()) as { error: string }).error).toMatch(/ICE restarts are not supported/);
      expect((await patch(frag(ufrag!), { "Content-Type": "application/sdp" })).status).toBe(415);
      expect((await patch("not a fragment", {})).status).toBe(400);
      expect((await fetch(c.location!.replace(/[0-9a-f]{8}-/, "00000000-"), { method: "PATCH", headers: { "Content-Type": FRAG }, body: frag(ufrag!) })).status).toBe(404);
    } finally {
      await fetch(c.location!, { method: "DELETE" });
      await c.close();
    }
  });
});

describe("ICE settings", () => {
  test("udpPortRange bounds the ports; announcedAddresses (a 1:1 NAT's public IP) are announced as host candidates", async () => {
    const base = 40000 + Math.floor(Math.random() * 20000);
    const other = await startServerProcess("bun", {
      webrtc: { host: "127.0.0.1", interfaceAddresses: "none", announcedAddresses: ["127.0.0.1", "192.0.2.55"], udpPortRange: [base, base + 49] },
    });
    try {
      const c = await whepClient(`${other.url}/demo/whep`, { applyAnswer: false });
      await c.close();
      expect(c.status).toBe(201);
      const candidates = [...c.body.matchAll(/a=candidate:\S+ 1 udp \d+ (\S+) (\d+) typ host/g)].map((m) => [m[1], Number(m[2])] as const);
      expect([...new Set(candidates.map(([ip]) => ip))].sort()).toEqual(["127.0.0.1", "192.0.2.55"]);
      for (const [, port] of candidates) {
        expect(port).toBeGreaterThanOrEqual(base);
        expect(port).toBeLessThanOrEqual(base + 49);
      }
    } finally {
      await other.stop();
    }
  });
});

describe("authorization", () => {
  test("an offer needs read permission on the path (auth middleware): 401 without, 201 with Basic", async () => {
    const other = await startServerProcess("bun", {
      auth: { anonymous: [], users: [{ user: "viewer", password: "pw", permissions: [{ action: "read", path: "demo" }] }] },
      webrtc: LOOPBACK_WEBRTC,
    });
    try {
      const refused = await whepClient(`${other.url}/demo/whep`, { applyAnswer: false });
      await refused.close();
      expect(refused.status).toBe(401);
      const allowed = await whepClient(`${other.url}/demo/whep`, { applyAnswer: false, headers: { Authorization: `Basic ${btoa("viewer:pw")}` } });
      await allowed.close();
      expect(allowed.status).toBe(201);
    } finally {
      await other.stop();
    }
  });
});

describe("a stream with B-frames", () => {
  test("H.264 with B-frames and AAC gets a 422 saying why, naming the fix", async () => {
    const other = await startServerProcess("bun", { demo: { file: BFRAMES_CLIP }, webrtc: LOOPBACK_WEBRTC });
    try {
      const c = await whepClient(`${other.url}/demo/whep`);
      await c.close();
      expect(c.status).toBe(422);
      const body = JSON.parse(c.body) as { leftOut: { codec: string; reason: string }[] };
      expect(body.leftOut[0]).toMatchObject({ codec: "h264", reason: expect.stringMatching(/B-frames.*-bf 0/) });
      expect(body.leftOut[1]).toMatchObject({ codec: "aac" });
      expect((await streamInfo(other.url, "demo"))!.readers).toHaveLength(0);
    } finally {
      await other.stop();
    }
  });
});
