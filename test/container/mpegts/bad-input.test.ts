import { describe, expect, test } from "bun:test";
import type { AccessUnit } from "../../../src/core/access-unit.ts";
import { TsAccessUnitReader } from "../../../src/container/mpegts/access-unit-reader.ts";
import { TS_PACKET_SIZE } from "../../../src/container/mpegts/constants.ts";
import type { TsDemuxerOptions } from "../../../src/container/mpegts/demuxer.ts";
import { UnitArena } from "../../../src/core/unit-arena.ts";
import { rng } from "../../codec/bit-writer.ts";
import {
  AUDIO_PID, datagrams, H264_AAC, pesPackets, PMT_PID, simpleStream, TsBuilder, VIDEO_PID, withoutPackets,
} from "./ts-builder.ts";

/**
 * What the demuxer may hold between pushes in these tests: one search window
 * of 5 packets (sync.ts) plus one PES buffer of each stream, 64 KiB at
 * first (CopyWriter, unit-writer.ts), or the PES in progress with an arena.
 */
const BUFFER_BOUND = 5 * TS_PACKET_SIZE + 2 * 64 * 1024;

/** Feeds one chunk at a time, checking after each that nothing grows past the bound. */
function feed(chunks: readonly Uint8Array[], options: TsDemuxerOptions = {}): { aus: AccessUnit[]; reader: TsAccessUnitReader } {
  const reader = new TsAccessUnitReader(options);
  const aus: AccessUnit[] = [];
  for (const c of chunks) {
    aus.push(...reader.push(c));
    expect(reader.demuxer.bufferedBytes).toBeLessThanOrEqual(BUFFER_BOUND);
  }
  aus.push(...reader.flush());
  return { aus, reader };
}

/** Units as comparable strings: kind, timestamps, key, size. */
const summary = (aus: readonly AccessUnit[]) =>
  aus.map((u) => `${u.track.kind} ${u.pts}/${u.dts}${u.key ? " key" : ""} ${u.units.reduce((n, x) => n + x.length, 0)}`);

const CLEAN = simpleStream(60, 10).bytes();
const CLEAN_UNITS = summary(feed([CLEAN]).aus);
const ascii = (s: string) => new TextEncoder().encode(s);

describe("bad input", () => {
  test("non-TS datagrams between good ones: resync, nothing good lost, no growth", () => {
    const rand = rng(1);
    const junk = [
      ascii("GET / HTTP/1.1\r\nHost: camera\r\n\r\n"), // starts with 'G' = 0x47, the sync byte
      ascii("G".repeat(1316)),
      new Uint8Array(1316).map(() => Math.floor(rand() * 256)),
      new Uint8Array(3000).map(() => (rand() < 0.3 ? 0x47 : Math.floor(rand() * 256))),
      ascii("<html><body>not a transport stream</body></html>".repeat(40)),
    ];
    const chunks: Uint8Array[] = [];
    datagrams(CLEAN).forEach((d, i) => {
      chunks.push(d);
      if (i % 5 === 2) chunks.push(junk[Math.floor(i / 5) % junk.length]!);
    });
    // 1 MB of noise in a row must not grow any buffer either.
    for (let i = 0; i < 800; i++) chunks.splice(40, 0, junk[2]!);
    const { aus, reader } = feed(chunks);
    expect(reader.demuxer.stats.resyncs).toBeGreaterThan(10);
    expect(reader.demuxer.stats.bytesSkipped).toBeGreaterThan(800 * 1316);
    expect(summary(aus)).toEqual(CLEAN_UNITS);
  });

  test("datagrams cut mid-packet: only the cut packets are lost", () => {
    const grams = datagrams(CLEAN);
    const cuts = [3, 17, 18, 40];
    const cutAt = [100, 700, 1315, 188 * 6 + 1];
    const chunks = grams.map((d, i) => (cuts.includes(i) ? d.subarray(0, cutAt[cuts.indexOf(i)]) : d));
    const { aus, reader } = feed(chunks);
    expect(reader.demuxer.stats.truncatedPackets).toBe(4);
    // The same stream with just those packets taken out, read in one go.
    const gone = cuts.flatMap((g, k) => {
      const first = g * 7 + Math.floor(cutAt[k]! / TS_PACKET_SIZE);
      return Array.from({ length: (g + 1) * 7 - first }, (_, j) => first + j);
    });
    expect(summary(aus)).toEqual(summary(feed([withoutPackets(CLEAN, gone)]).aus));
    expect(aus.length).toBeGreaterThan(CLEAN_UNITS.length / 2);
  });

  test("wrong sync bytes: the packet is skipped, the grid found again", () => {
    const bad = [10, 11, 50, 51, 52, 53, 54, 55, 56, 200];
    const bytes = CLEAN.slice();
    for (const i of bad) bytes[i * TS_PACKET_SIZE] = 0x46;
    const { aus, reader } = feed(datagrams(bytes));
    expect(reader.demuxer.stats.bytesSkipped).toBe(bad.length * TS_PACKET_SIZE);
    expect(reader.demuxer.stats.resyncs).toBe(3); // one per run of bad packets
    expect(summary(aus)).toEqual(summary(feed([withoutPackets(CLEAN, bad)]).aus));
  });

  test("a PMT whose PIDs point nowhere: nothing out, packets counted as ignored, fixed by a new version", () => {
    const b = new TsBuilder().pat([{ programNumber: 1, pmtPid: PMT_PID }]);
    b.pmt(PMT_PID, 1, 0x200, [{ streamType: 0x1b, pid: 0x200 }, { streamType: 0x0f, pid: 0x201 }]);
    for (let i = 0; i < 20; i++) b.video(VIDEO_PID, i).audio(AUDIO_PID, i);
    const before = b.packets;
    b.pmt(PMT_PID, 1, VIDEO_PID, H264_AAC, 1);
    for (let i = 20; i < 30; i++) b.video(VIDEO_PID, i, 10).audio(AUDIO_PID, i);
    const { aus, reader } = feed(datagrams(b.bytes()));
    const d = reader.demuxer;
    expect(d.stats.ignoredPackets).toBe(before - 2);
    expect(d.program?.streams.map((s) => s.pid)).toEqual([VIDEO_PID, AUDIO_PID]);
    expect(reader.tracks.map((t) => t.kind)).toEqual(["video", "audio"]); // the phantom tracks are gone
    expect(aus.filter((u) => u.track.kind === "video").length).toBe(10);
    expect(aus.filter((u) => u.track.kind === "audio").length).toBe(10);
  });

  test("a PAT pointing at a PMT that never comes: nothing out, nothing held", () => {
    const b = new TsBuilder().pat([{ programNumber: 1, pmtPid: 0x1fe0 }]);
    for (let i = 0; i < 30; i++) b.video(VIDEO_PID, i).audio(AUDIO_PID, i);
    const { aus, reader } = feed(datagrams(b.bytes()));
    expect(aus).toEqual([]);
    expect(reader.demuxer.program).toBeUndefined();
    expect(reader.demuxer.stats.ignoredPackets).toBe(b.packets - 1);
    expect(reader.demuxer.bufferedBytes).toBe(0);
  });

  for (const arena of [false, true]) {
    const where = arena ? " (PES written into an arena)" : "";
    test(`PES_packet_length beyond the data, then a new unit start${where}`, () => {
      const b = new TsBuilder().pat([{ programNumber: 1, pmtPid: PMT_PID }]).pmt(PMT_PID, 1, VIDEO_PID, H264_AAC);
      for (let i = 0; i < 20; i++) {
        b.video(VIDEO_PID, i, 10, i === 3 ? { packetLength: 60000 } : {});
        b.audio(AUDIO_PID, i, i === 5 || i === 6 ? { packetLength: 5000 } : {});
      }
      const { aus, reader } = feed(datagrams(b.bytes()), arena ? { arena: new UnitArena() } : {});
      expect(reader.demuxer.stats.pesTruncated).toBe(3);
      expect(reader.demuxer.stats.ccErrors).toBe(0);
      const video = aus.filter((u) => u.track.kind === "video");
      expect(video.length).toBe(13); // 0-2 and 10-19: frame 3 is gone, 4-9 refer to it
      expect(reader.stats.unitsDroppedAfterLoss).toBe(6);
      expect(aus.filter((u) => u.track.kind === "audio").length).toBe(18);
      // The PES after a truncated one are whole: the same units as without an arena.
      expect(summary(aus)).toEqual(summary(feed(datagrams(b.bytes())).aus));
    });
  }

  test("section_length beyond 1021 (2.4.4.3, 2.4.4.8): counted, the next good table is used", () => {
    const good = simpleStream(20).bytes();
    // Packets 0 and 1 are the PAT and the PMT, each one section after pointer_field 0:
    // section_length is in the low 4 bits of byte 6 and in byte 7.
    const badPat = good.slice(0, TS_PACKET_SIZE);
    badPat[6] = (badPat[6]! & 0xf0) | 0x03;
    badPat[7] = 0xff; // 1023: the largest a PSI section_length can say with its '00' bits
    const badPmt = good.slice(TS_PACKET_SIZE, 2 * TS_PACKET_SIZE);
    badPmt[6] |= 0x0f;
    badPmt[7] = 0xff; // 4095
    // Each bad packet comes with the continuity_counter before the good one's, so neither looks repeated.
    for (const p of [badPat, badPmt]) p[3] = (p[3]! & 0xf0) | 0x0f;
    const bytes = new Uint8Array(good.length + 2 * TS_PACKET_SIZE);
    let at = 0;
    for (const part of [badPat, good.subarray(0, TS_PACKET_SIZE), badPmt, good.subarray(TS_PACKET_SIZE)]) {
      bytes.set(part, at);
      at += part.length;
    }
    const { aus, reader } = feed(datagrams(bytes));
    expect(reader.demuxer.stats.psiErrors).toBe(2);
    expect(reader.demuxer.stats.crcErrors).toBe(0);
    expect(reader.demuxer.stats.ccErrors).toBe(0);
    expect(summary(aus)).toEqual(summary(feed([good]).aus));
  });

  describe("two programs: 1 is radio (AAC), 2 is TV (H.264 + AAC)", () => {
    const b = new TsBuilder().pat([{ programNumber: 1, pmtPid: 0x1000 }, { programNumber: 2, pmtPid: 0x1100 }]);
    b.pmt(0x1000, 1, 0x110, [{ streamType: 0x0f, pid: 0x110 }]);
    b.pmt(0x1100, 2, 0x200, [{ streamType: 0x1b, pid: 0x200 }, { streamType: 0x0f, pid: 0x201 }]);
    for (let i = 0; i < 20; i++) b.audio(0x110, i).video(0x200, i).audio(0x201, i);
    const bytes = b.bytes();
    const kinds = (aus: AccessUnit[]) => aus.map((u) => u.track.kind);

    test("default: the first program with video", () => {
      const { aus, reader } = feed(datagrams(bytes));
      expect(reader.demuxer.program?.programNumber).toBe(2);
      expect(kinds(aus).filter((k) => k === "video").length).toBe(20);
      expect(kinds(aus).filter((k) => k === "audio").length).toBe(20);
      expect(reader.demuxer.stats.ignoredPackets).toBe(pesPackets(bytes, 0x110).flat().length); // the radio's audio
    });

    test("program: 1 picks the radio", () => {
      const { aus, reader } = feed(datagrams(bytes), { program: 1 });
      expect(reader.demuxer.program?.programNumber).toBe(1);
      expect(kinds(aus)).toEqual(Array(20).fill("audio"));
    });

    test("a program that is not there: nothing out, counted", () => {
      const { aus, reader } = feed(datagrams(bytes), { program: 9 });
      expect(aus).toEqual([]);
      expect(reader.demuxer.program).toBeUndefined();
      expect(reader.demuxer.stats.programNotFound).toBe(1);
    });
  });
});
