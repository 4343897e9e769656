import { describe, expect, test } from "bun:test";
import { TsDemuxer } from "../../../src/container/mpegts/demuxer.ts";
import { MAX_PES_SIZE } from "../../../src/container/mpegts/pes-assembler.ts";
import { TsMuxer } from "../../../src/container/mpegts/muxer.ts";
import { crc32Mpeg2 } from "../../../src/container/mpegts/crc32.ts";
import { buildPmt } from "../../../src/container/mpegts/psi-writer.ts";
import { parsePmt } from "../../../src/container/mpegts/psi.ts";
import { UnitArena } from "../../../src/core/unit-arena.ts";
import { CollectSink, videoAu, videoTrack } from "./helpers.ts";

function muxed(aus: number): Uint8Array {
  const sink = new CollectSink();
  const m = new TsMuxer(sink, [videoTrack]);
  for (let i = 0; i < aus; i++) m.writeAccessUnit(videoAu(i, i * 3600, i * 3600));
  return sink.bytes();
}

describe("TsDemuxer", () => {
  test("CRC-32/MPEG-2 check value and PMT round trip", () => {
    expect(crc32Mpeg2(new TextEncoder().encode("123456789"))).toBe(0x0376e6e7);
    const pmt = buildPmt(1, 3, 0x100, [{ streamType: 0x1b, pid: 0x100 }, { streamType: 0x0f, pid: 0x101 }]);
    expect(crc32Mpeg2(pmt)).toBe(0);
    expect(parsePmt(pmt)).toEqual({ programNumber: 1, version: 3, pcrPid: 0x100, streams: [{ streamType: 0x1b, pid: 0x100 }, { streamType: 0x0f, pid: 0x101 }] });
  });

  test("a PMT with a bad CRC is counted and not used", () => {
    const bytes = muxed(5).slice();
    bytes[188 + 5 + 10] ^= 0xff; // inside the PMT section
    const d = new TsDemuxer();
    const out = [...d.push(bytes), ...d.flush()];
    expect(d.stats.crcErrors).toBe(1);
    expect(out.length).toBe(0);
    expect(d.program).toBeUndefined();
  });

  for (const arena of [false, true]) {
    const where = arena ? " (PES written into an arena)" : "";
    test(`lost packet: CC error counted, broken PES dropped${where}`, () => {
      const bytes = muxed(10);
      const cut = new Uint8Array(bytes.length - 188);
      cut.set(bytes.subarray(0, 188 * 5));
      cut.set(bytes.subarray(188 * 6), 188 * 5);
      const d = new TsDemuxer({ arena: arena ? new UnitArena() : undefined });
      const out = [...d.push(cut), ...d.flush()];
      expect(d.stats.ccErrors).toBe(1);
      expect(d.stats.pesDropped).toBe(1);
      expect(out.map((p) => p.dts)).toEqual([3600, 7200, 10800, 14400, 18000, 21600, 25200, 28800, 32400]);
      const clean = new TsDemuxer();
      expect(out.map((p) => [...p.data])).toEqual([...clean.push(bytes), ...clean.flush()].slice(1).map((p) => [...p.data]));
    });
  }

  test("duplicate packets are skipped without error", () => {
    const bytes = muxed(3);
    const dup = new Uint8Array(bytes.length + 188);
    dup.set(bytes.subarray(0, 188 * 4));
    dup.set(bytes.subarray(188 * 3), 188 * 4);
    const d = new TsDemuxer();
    const out = [...d.push(dup), ...d.flush()];
    expect(d.stats.ccErrors).toBe(0);
    expect(out.length).toBe(3);
  });

  for (const arena of [false, true]) {
    const where = arena ? " (PES written into an arena)" : "";
    test(`PES bytes do not depend on the chunking, nor on the caller reusing its buffer after each push${where}`, () => {
      const sink = new CollectSink();
      const m = new TsMuxer(sink, [videoTrack]);
      // Sizes around whole packets and runs (184 bytes of payload per packet, runs up to 256 packets).
      for (const [i, size] of [100, 184 * 3, 184 * 300 + 7, 50_000, 183, 185, 184 * 256 * 2 + 1].entries()) m.writeAccessUnit(videoAu(i, i * 3600, i * 3600, size));
      const bytes = sink.bytes();
      const whole = new TsDemuxer();
      const expected = [...whole.push(bytes), ...whole.flush()].map((p) => [p.dts, [...p.data]]);
      expect(expected.length).toBe(7);
      for (const step of [188 * 7, 188 * 32 * 7, 1000, 188]) {
        const d = new TsDemuxer({ arena: arena ? new UnitArena() : undefined });
        const reused = new Uint8Array(step);
        const out = [];
        for (let at = 0; at < bytes.length; at += step) {
          const n = Math.min(step, bytes.length - at);
          reused.set(bytes.subarray(at, at + n));
          out.push(...d.push(reused.subarray(0, n)));
          reused.fill(0x47); // what a socket's next batch would leave there
        }
        out.push(...d.flush());
        expect(out.map((p) => [p.dts, [...p.data]])).toEqual(expected);
        expect(d.stats.ccErrors + d.stats.pesDropped + d.stats.truncatedPackets).toBe(0);
      }
    });
  }

  for (const arena of [false, true]) {
    const where = arena ? " (PES written into an arena)" : "";
    test(`an oversize PES is dropped and counted; the next PES are whole${where}`, () => {
      const sink = new CollectSink();
      const m = new TsMuxer(sink, [videoTrack]);
      m.writeAccessUnit(videoAu(0, 0, 0, MAX_PES_SIZE + 1000));
      m.writeAccessUnit(videoAu(1, 3600, 3600));
      m.writeAccessUnit(videoAu(2, 7200, 7200));
      const d = new TsDemuxer({ arena: arena ? new UnitArena() : undefined });
      const out = [...d.push(sink.bytes()), ...d.flush()];
      expect(d.stats.pesDropped).toBe(1);
      expect(out.map((p) => p.dts)).toEqual([3600, 7200]);
      // Each PES ends with its frame's one NAL unit, intact (after the AUD the muxer puts first).
      const frames = [videoAu(1, 3600, 3600).units[0]!, videoAu(2, 7200, 7200).units[0]!];
      out.forEach((p, i) => expect([...p.data.subarray(p.data.length - frames[i]!.length)]).toEqual([...frames[i]!]));
      expect(d.bufferedBytes).toBeLessThanOrEqual(MAX_PES_SIZE + 256 * 4);
    });
  }
});
