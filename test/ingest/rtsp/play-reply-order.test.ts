import { afterEach, expect, test } from "bun:test";
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { createServer, type Server, type Socket } from "node:net";
import { Stream } from "../../../src/core/stream.ts";
import { MAX_HELD_BYTES, MAX_HELD_PACKETS, RtpTrackSet } from "../../../src/ingest/rtsp/rtp-track-set.ts";
import { RtspSource } from "../../../src/ingest/rtsp/rtsp-source.ts";
import { writeSenderReport } from "../../../src/rtp/sender-report.ts";
import type { MediaInfo } from "../../../src/rtsp/sdp.ts";
import { interleavedFrame } from "../../../src/rtsp/interleaved.ts";
import { bunRuntime } from "../../../src/runtime/bun.ts";
import { onRtspRequests } from "../../helpers/rtsp-raw.ts";

/** PCMU, 8 kHz: 160 samples (20 ms) per packet. */
const SDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=t\r\nt=0 0\r\nm=audio 0 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=control:track1\r\n";
/** RTP-Info's rtptime: the camera's timestamp at the start of play (RFC 2326 12.33). */
const RTPTIME = 1000;

function rtp(seq: number, timestamp: number, size = 160): Uint8Array {
  const b = new Uint8Array(12 + size);
  const v = new DataView(b.buffer);
  b[0] = 0x80;
  v.setUint16(2, seq);
  v.setUint32(4, timestamp);
  v.setUint32(8, 0x1234);
  return b;
}

const enc = (s: string) => new TextEncoder().encode(s);
function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) (out.set(p, at), (at += p.length));
  return out;
}

interface Camera {
  readonly transport: "tcp" | "udp";
  /** RTP-Info header of the PLAY answer, or undefined for none. */
  readonly rtpInfo: string | undefined;
}

const servers: Server[] = [];
const udps: UdpSocket[] = [];
const sources: RtspSource[] = [];
afterEach(() => {
  for (const s of sources.splice(0)) s.stop();
  for (const s of servers.splice(0)) s.close();
  for (const u of udps.splice(0)) u.close();
});

/**
 * A camera that sends its first packet before the PLAY answer: over TCP in
 * the same write, just ahead of the answer's bytes, with a second packet
 * right after them; over UDP 100 ms before it answers. A third packet
 * follows 100 ms after the answer.
 */
async function camera(c: Camera): Promise<string> {
  const udp = createSocket("udp4");
  udps.push(udp);
  await new Promise<void>((r) => udp.bind(0, "127.0.0.1", r));
  let clientPort = 0;
  const server = createServer((socket: Socket) => {
    const send = (packets: Uint8Array[]) => {
      if (c.transport === "tcp") return packets.map((p) => interleavedFrame(0, p));
      for (const p of packets) udp.send(p, clientPort, "127.0.0.1");
      return [];
    };
    onRtspRequests(socket, (method, cseq, head) => {
      const ok = (extra: string, body = "") =>
        enc(`RTSP/1.0 200 OK\r\nCSeq: ${cseq}\r\nSession: 42\r\n${extra}${body ? `Content-Length: ${body.length}\r\n` : ""}\r\n${body}`);
      if (method === "DESCRIBE") socket.write(ok("Content-Type: application/sdp\r\n", SDP));
      else if (method === "SETUP") {
        clientPort = Number(/client_port=(\d+)/.exec(head)?.[1] ?? 0);
        const transport = c.transport === "tcp" ? "RTP/AVP/TCP;unicast;interleaved=0-1" : `RTP/AVP;unicast;client_port=${clientPort}-${clientPort + 1};server_port=${udp.address().port}-${udp.address().port + 1}`;
        socket.write(ok(`Transport: ${transport}\r\n`));
      } else if (method === "PLAY") {
        const answer = ok(c.rtpInfo === undefined ? "" : `RTP-Info: ${c.rtpInfo}\r\n`);
        const later = () => setTimeout(() => socket.write(concat(send([rtp(3, RTPTIME + 480)]))), 100);
        if (c.transport === "tcp") {
          socket.write(concat([...send([rtp(1, RTPTIME + 160)]), answer, ...send([rtp(2, RTPTIME + 320)])]));
          later();
        } else {
          send([rtp(1, RTPTIME + 160)]);
          setTimeout(() => {
            socket.write(answer);
            send([rtp(2, RTPTIME + 320)]);
            later();
          }, 100);
        }
      } else socket.write(ok(""));
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return `rtsp://127.0.0.1:${(server.address() as { port: number }).port}/cam`;
}

/** Presentation times (8 kHz ticks) of the first three units the source puts into the stream. */
async function firstThree(c: Camera): Promise<number[]> {
  const url = await camera(c);
  const stream = new Stream("cam", { maxDuration: 10, maxBytes: 1 << 20, slowReader: "skip" });
  const source = new RtspSource(bunRuntime, stream, { url, shownUrl: url, transport: c.transport, timeout: 5, requestTimeout: 3, tcpReadBatchMs: 10, tls: { verify: true } });
  sources.push(source);
  source.start();
  for (let i = 0; i < 100 && stream.ring.tail < 3; i++) await new Promise((r) => setTimeout(r, 20));
  return [0, 1, 2].map((i) => stream.ring.at(i)?.pts ?? -1);
}

/** Time zero (rtptime) falls at 10 s, the first session's start. */
const AT_RTPTIME = [10 * 8000 + 160, 10 * 8000 + 320, 10 * 8000 + 480];
/** Time zero at the first packet, for want of RTP-Info. */
const AT_FIRST = [10 * 8000, 10 * 8000 + 160, 10 * 8000 + 320];

for (const transport of ["tcp", "udp"] as const) {
  test(`${transport}: RTP before the PLAY answer is timed by its RTP-Info, as the packets after it`, async () => {
    expect(await firstThree({ transport, rtpInfo: `url=track1;seq=1;rtptime=${RTPTIME}` })).toEqual(AT_RTPTIME);
  });

  test(`${transport}: without rtptime in RTP-Info, or without RTP-Info, time zero is the first packet`, async () => {
    expect(await firstThree({ transport, rtpInfo: "url=track1;seq=1" })).toEqual(AT_FIRST);
    expect(await firstThree({ transport, rtpInfo: undefined })).toEqual(AT_FIRST);
  });
}

const pcmu = (pt: number): MediaInfo => ({ type: "audio", payloadType: pt, codec: "pcmu", clockRate: 8000, channels: 1, fmtp: {} });
const newStream = () => new Stream("cam", { maxDuration: 60, maxBytes: 1 << 26, slowReader: "skip" });

test("held packets are bounded per track in packets and in bytes; the dropped ones are counted and show as lost", () => {
  for (const size of [160, 4000]) {
    const stream = newStream();
    const set = new RtpTrackSet(stream, [pcmu(0)], 10);
    set.hold();
    const kept = Math.min(MAX_HELD_PACKETS, Math.floor(MAX_HELD_BYTES / (12 + size)));
    for (let seq = 1; seq <= kept + 10; seq++) expect(set.rtp(0, rtp(seq, seq * 160, size))).toBe(true);
    expect(stream.ring.tail).toBe(0);
    expect(set.counters.heldDropped).toBe(10);
    set.release();
    expect(stream.ring.tail).toBe(kept);
    set.rtp(0, rtp(kept + 11, (kept + 11) * 160, size));
    expect(set.lost).toBe(10);
  }
});

test("held packets without RTP-Info: time zero is each track's first packet, and sender reports still align the tracks", () => {
  const stream = newStream();
  const set = new RtpTrackSet(stream, [pcmu(0), pcmu(8)], 10);
  const sr = (ntp: number, rtpTimestamp: number) => writeSenderReport({ ssrc: 1, ntp, rtpTimestamp, packets: 1, octets: 160 });
  set.hold();
  // Both first packets are sampled at wall clock 1000.0 s; b's clock reads 40000 then.
  set.rtp(0, rtp(1, 80_000));
  set.rtp(1, rtp(1, 44_000)); // 1000.5 s: b's first packet comes half a second later
  // Sender reports before the answer: no time zero yet, nothing to align.
  set.rtcp(0, sr(1010, 160_000));
  set.rtcp(1, sr(1010, 120_000));
  set.release();
  expect([stream.ring.at(0)?.pts, stream.ring.at(1)?.pts]).toEqual([80_000, 80_000]);
  // The next reports align b's zero with a's: 1000.0 s.
  set.rtcp(0, sr(1011, 168_000));
  set.rtcp(1, sr(1011, 128_000));
  set.rtp(0, rtp(2, 88_000)); // 1001.0 s
  set.rtp(1, rtp(2, 48_000)); // 1001.0 s
  expect([stream.ring.at(2)?.pts, stream.ring.at(3)?.pts]).toEqual([88_000, 88_000]);
});

test("held packets with RTP-Info on every track go out in arrival order; sender reports change nothing", () => {
  const stream = newStream();
  const set = new RtpTrackSet(stream, [pcmu(0), pcmu(8)], 10);
  set.hold();
  set.rtp(0, rtp(1, 80_160));
  set.rtp(1, rtp(1, 40_160));
  set.rtp(0, rtp(2, 80_320));
  set.tracks[0]!.setZero(80_000);
  set.tracks[1]!.setZero(40_000);
  set.release();
  set.rtcp(0, writeSenderReport({ ssrc: 1, ntp: 1010, rtpTimestamp: 160_000, packets: 1, octets: 160 }));
  set.rtcp(1, writeSenderReport({ ssrc: 2, ntp: 1010.25, rtpTimestamp: 120_000, packets: 1, octets: 160 }));
  set.rtp(1, rtp(2, 40_320));
  const units = [0, 1, 2, 3].map((i) => stream.ring.at(i));
  expect(units.map((u) => u?.track.id)).toEqual([0, 1, 0, 1]);
  expect(units.map((u) => u?.pts)).toEqual([80_160, 80_160, 80_320, 80_320]);
});

test("packets read into one reused buffer (the Deno client): the ring's units stay intact; an empty first payload is an empty unit", () => {
  const stream = newStream();
  const set = new RtpTrackSet(stream, [pcmu(0)], 10);
  const read = new Uint8Array(12 + 160);
  const feed = (seq: number, size: number) => {
    const p = rtp(seq, seq * 160, size).fill(seq, 12);
    read.set(p);
    expect(set.rtp(0, read.subarray(0, p.length))).toBe(true);
    read.fill(0xee);
  };
  feed(1, 0);
  for (let seq = 2; seq <= 50; seq++) feed(seq, 160);
  expect(stream.ring.tail).toBe(50);
  expect(stream.ring.at(0)?.units).toEqual([new Uint8Array(0)]);
  for (let seq = 2; seq <= 50; seq++) expect(stream.ring.at(seq - 1)?.units).toEqual([new Uint8Array(160).fill(seq)]);
});
