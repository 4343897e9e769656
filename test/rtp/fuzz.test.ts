/**
 * Fuzzing: random and mutated packets, seeded from the real captures, into
 * the RTP parser and every depacketizer. Only ParseError may escape the
 * parser, nothing escapes push(), time stays bounded and no frame is larger
 * than the limits.
 */
import { describe, expect, test } from "bun:test";
import { ParseError } from "../../src/core/errors.ts";
import { AacDepacketizer } from "../../src/rtp/aac/decoder.ts";
import { LatmDepacketizer } from "../../src/rtp/aac/latm-decoder.ts";
import type { Depacketizer } from "../../src/rtp/depacketizer.ts";
import { H264Depacketizer } from "../../src/rtp/h264/decoder.ts";
import { H265Depacketizer } from "../../src/rtp/h265/decoder.ts";
import { MAX_ACCESS_UNIT_SIZE, MAX_UNITS_PER_ACCESS_UNIT } from "../../src/rtp/limits.ts";
import { parseRtpPacket, type RtpPacket } from "../../src/rtp/packet.ts";
import { rng } from "../codec/bit-writer.ts";
import { readFixture } from "./fixtures/capture.ts";

const RAW = {
  h264: readFixture(new URL("fixtures/h264.rtp", import.meta.url)),
  h265: readFixture(new URL("fixtures/h265.rtp", import.meta.url)),
  aac: readFixture(new URL("fixtures/aac.rtp", import.meta.url)),
  latm: readFixture(new URL("fixtures/latm.rtp", import.meta.url)),
};
const MAKERS: Record<keyof typeof RAW, () => Depacketizer> = {
  h264: () => new H264Depacketizer(),
  h265: () => new H265Depacketizer(),
  aac: () => new AacDepacketizer({ sizeLength: 13, indexLength: 3, indexDeltaLength: 3 }),
  latm: () => new LatmDepacketizer({ numSubFrames: 0 }),
};

function mutate(src: Uint8Array, rand: () => number): Uint8Array {
  const kind = Math.floor(rand() * 4);
  if (kind === 0) {
    const out = src.slice();
    for (let i = 0, n = 1 + Math.floor(rand() * 6); i < n; i++) out[Math.floor(rand() * out.length)]! ^= 1 << Math.floor(rand() * 8);
    return out;
  }
  if (kind === 1) return src.subarray(0, Math.floor(rand() * (src.length + 1)));
  if (kind === 2) return new Uint8Array(Math.floor(rand() * 1500)).map(() => Math.floor(rand() * 256));
  // Keep the header, randomize the first payload bytes (payload headers, FU/AU headers).
  const out = src.slice();
  for (let i = 12; i < Math.min(out.length, 12 + 4); i++) if (rand() < 0.5) out[i] = Math.floor(rand() * 256);
  return out;
}

function parse(buf: Uint8Array): RtpPacket | undefined {
  try {
    return parseRtpPacket(buf);
  } catch (e) {
    if (!(e instanceof ParseError)) throw e;
    return undefined;
  }
}

describe("RTP fuzz", () => {
  test("parser: random bytes throw only ParseError; payload stays inside the buffer", () => {
    const rand = rng(3550);
    for (let i = 0; i < 20000; i++) {
      const buf = new Uint8Array(Math.floor(rand() * 80)).map(() => Math.floor(rand() * 256));
      if (rand() < 0.7 && buf.length > 0) buf[0] = 0x80 | (buf[0]! & 0x3f);
      const p = parse(buf);
      if (p) {
        expect(p.payload.byteOffset).toBeGreaterThanOrEqual(12);
        expect(p.payload.byteOffset + p.payload.length).toBeLessThanOrEqual(buf.length);
      }
    }
  });

  for (const name of Object.keys(RAW) as (keyof typeof RAW)[]) {
    test(`${name}: mutated, dropped, duplicated and reordered captures`, () => {
      const rand = rng(name.length * 1000 + 7);
      const started = Date.now();
      let out = 0;
      for (let round = 0; round < 300; round++) {
        const d = MAKERS[name]();
        const src = RAW[name];
        for (let i = 0; i < src.length; i++) {
          const r = rand();
          let buf = src[i]!;
          if (r < 0.05) continue;
          if (r < 0.1) buf = src[Math.floor(rand() * src.length)]!;
          else if (r < 0.3) buf = mutate(buf, rand);
          const p = parse(buf);
          if (!p) continue;
          for (const f of d.push(p)) {
            out++;
            expect(f.units.length).toBeLessThanOrEqual(MAX_UNITS_PER_ACCESS_UNIT);
            expect(f.units.reduce((n, u) => n + u.length, 0)).toBeLessThanOrEqual(MAX_ACCESS_UNIT_SIZE);
          }
        }
        expect(d.stats.packets).toBeGreaterThan(0);
      }
      expect(out).toBeGreaterThan(0);
      expect(Date.now() - started).toBeLessThan(10000);
    });

    test(`${name}: random payloads with plausible headers`, () => {
      const rand = rng(name.length * 31 + 1);
      const d = MAKERS[name]();
      let seq = 0;
      for (let i = 0; i < 20000; i++) {
        const payload = new Uint8Array(Math.floor(rand() * 64)).map(() => Math.floor(rand() * 256));
        d.push({ marker: rand() < 0.3, payloadType: 96, sequence: (seq += rand() < 0.9 ? 1 : Math.floor(rand() * 200)) & 0xffff, timestamp: Math.floor(rand() * 4) * 3000, ssrc: 1, payload });
      }
      expect(d.stats.packets).toBe(20000);
    });
  }

  test("a stuck FU-A never grows past the fragment limit", () => {
    const d = new H264Depacketizer();
    const body = new Uint8Array(60000);
    d.push({ marker: false, payloadType: 96, sequence: 0, timestamp: 0, ssrc: 1, payload: Uint8Array.of(0x7c, 0x85, ...body.subarray(0, 100)) });
    // 5 MiB of middle fragments, then an end: over the 4 MiB limit, so the NAL is dropped.
    let seq = 1;
    for (let n = 0; n < 90; n++) d.push({ marker: false, payloadType: 96, sequence: seq++, timestamp: 0, ssrc: 1, payload: Uint8Array.of(0x7c, 0x05, ...body) });
    const frames = d.push({ marker: true, payloadType: 96, sequence: seq++, timestamp: 0, ssrc: 1, payload: Uint8Array.of(0x7c, 0x45, 1) });
    expect(frames).toEqual([]);
    expect(d.stats.framesDropped).toBe(1);
    expect(d.lastError).toMatch(/over 4194304 bytes/);
    // It recovers at the next IDR.
    expect(d.push({ marker: true, payloadType: 96, sequence: seq++, timestamp: 3000, ssrc: 1, payload: Uint8Array.of(0x65, 1, 2) }).length).toBe(1);
  });

  test("a flood of tiny NAL units in one access unit is bounded", () => {
    const d = new H264Depacketizer();
    let seq = 0;
    for (let n = 0; n < MAX_UNITS_PER_ACCESS_UNIT + 10; n++) d.push({ marker: false, payloadType: 96, sequence: seq++, timestamp: 0, ssrc: 1, payload: Uint8Array.of(0x65, 1) });
    expect(d.push({ marker: true, payloadType: 96, sequence: seq++, timestamp: 0, ssrc: 1, payload: Uint8Array.of(0x65, 1) })).toEqual([]);
    expect(d.stats.framesDropped).toBe(1);
  });
});
