import { expect, test } from "bun:test";
import { MediaTrack } from "../../../src/ingest/rtsp/media-track.ts";
import { readSenderReports, writeSenderReport } from "../../../src/rtp/sender-report.ts";
import type { MediaInfo } from "../../../src/rtsp/sdp.ts";

function senderReport(ssrc: number, ntpSeconds: number, rtp: number): Uint8Array {
  const sr = writeSenderReport({ ssrc, ntp: ntpSeconds, rtpTimestamp: rtp, packets: 1, octets: 160 });
  const b = new Uint8Array(sr.byteLength + 8);
  b.set(sr);
  // A trailing SDES-like block of another type must be skipped.
  b[28] = 0x81;
  b[29] = 202;
  new DataView(b.buffer).setUint16(30, 1);
  return b;
}

test("sender reports are read from a compound RTCP packet; garbage yields none", () => {
  const [sr] = readSenderReports(senderReport(0xdead, 3_900_000_000.25, 123456));
  expect(sr.ssrc).toBe(0xdead);
  expect(sr.ntp).toBeCloseTo(3_900_000_000.25, 6);
  expect(sr.rtpTimestamp).toBe(123456);
  expect(readSenderReports(new Uint8Array([1, 2, 3, 4, 5]))).toEqual([]);
  expect(readSenderReports(new Uint8Array(0))).toEqual([]);
});

test("tracks without RTP-Info are aligned on the sender's wall clock", () => {
  const media = (pt: number): MediaInfo => ({ type: "audio", payloadType: pt, codec: "pcmu", clockRate: 8000, channels: 1, fmtp: {} });
  const a = new MediaTrack(media(0), 0, 10, 0);
  const b = new MediaTrack(media(8), 1, 10, 0);
  const packet = (timestamp: number) => ({ marker: false, payloadType: 0, sequence: 1, timestamp, ssrc: 1, payload: new Uint8Array(160) });
  // Both first packets are sampled at wall-clock 1000.0 s, but b's first packet arrives 0.5 s of media later in its own clock.
  a.push(packet(80_000)); // zero_a = 80000 ↔ ntp 1000.0
  b.push(packet(44_000)); // zero_b = 44000 ↔ ntp 1000.5 (sampled half a second after a's first)
  a.senderReport(1010, 160_000); // a: 80000 + 10 s * 8000
  b.senderReport(1010, 40_000 + 10 * 8000); // b: 40000 ↔ ntp 1000.0, so 44000 ↔ 1000.5
  expect(a.zeroNtp()).toBeCloseTo(1000, 6);
  expect(b.zeroNtp()).toBeCloseTo(1000.5, 6);
  expect(b.alignTo(a.zeroNtp()!)).toBeCloseTo(-0.5, 6);
  // b's next packet, sampled at 1001.0, lands 1 s after a's zero: both on one timeline.
  const [au] = b.push({ ...packet(48_000), sequence: 2 });
  expect(au.pts).toBe((10 + 1) * 8000);
});
