import { describe, expect, test } from "bun:test";
import type { AccessUnit } from "../../../src/core/access-unit.ts";
import { TsAccessUnitReader } from "../../../src/container/mpegts/access-unit-reader.ts";
import { TsDemuxer } from "../../../src/container/mpegts/demuxer.ts";
import { TS_PACKET_SIZE } from "../../../src/container/mpegts/constants.ts";
import { AUDIO_PID, pesPackets, simpleStream, START_90K, FRAME_90K, VIDEO_PID, withoutPackets } from "./ts-builder.ts";

const GOP = 10;
const CLEAN = simpleStream(30, GOP).bytes();
const VIDEO_PES = pesPackets(CLEAN, VIDEO_PID);
const AUDIO_PES = pesPackets(CLEAN, AUDIO_PID);

function read(bytes: Uint8Array): { aus: AccessUnit[]; reader: TsAccessUnitReader } {
  const reader = new TsAccessUnitReader();
  return { aus: [...reader.push(bytes), ...reader.flush()], reader };
}

/** Video frame numbers that came out. */
const frames = (aus: AccessUnit[]) => aus.filter((u) => u.track.kind === "video").map((u) => (u.dts - START_90K) / FRAME_90K);
const audioCount = (aus: AccessUnit[]) => aus.filter((u) => u.track.kind === "audio").length;
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe("loss recovery", () => {
  test("clean stream: every frame, no loss flags", () => {
    const d = new TsDemuxer();
    const pes = [...d.push(CLEAN), ...d.flush()];
    expect(pes.some((p) => p.lost)).toBe(false);
    const { aus, reader } = read(CLEAN);
    expect(frames(aus)).toEqual(range(0, 30));
    expect(audioCount(aus)).toBe(AUDIO_PES.length);
    expect(reader.stats.unitsDroppedAfterLoss).toBe(0);
  });

  test("a lost video packet: the damaged frame and the rest of its GOP are dropped", () => {
    const damaged = VIDEO_PES[3]!; // a P frame in two packets
    expect(damaged.length).toBe(2);
    const bytes = withoutPackets(CLEAN, [damaged[1]!]);
    const d = new TsDemuxer();
    const pes = [...d.push(bytes), ...d.flush()].filter((p) => p.pid === VIDEO_PID);
    expect(d.stats.ccErrors).toBe(1);
    expect(d.stats.pesDropped).toBe(1);
    // The loss is told on the first PES after it, and only there.
    expect(pes.filter((p) => p.lost).map((p) => (p.dts! - START_90K) / FRAME_90K)).toEqual([4]);

    const { aus, reader } = read(bytes);
    expect(frames(aus)).toEqual([0, 1, 2, ...range(10, 30)]);
    expect(reader.stats.unitsDroppedAfterLoss).toBe(6); // frames 4..9
    expect(aus.find((u) => u.track.kind === "video" && u.dts === START_90K + 10 * FRAME_90K)!.key).toBe(true);
    expect(audioCount(aus)).toBe(AUDIO_PES.length);
  });

  test("a lost unit start: both frames it touches go, then wait for the keyframe", () => {
    const bytes = withoutPackets(CLEAN, [VIDEO_PES[13]![0]!]);
    const { aus, reader } = read(bytes);
    expect(reader.demuxer.stats.ccErrors).toBe(1);
    expect(frames(aus)).toEqual([...range(0, 12), ...range(20, 30)]);
    expect(reader.stats.unitsDroppedAfterLoss).toBe(6); // 14..19
  });

  test("a lost keyframe packet: nothing until the next keyframe", () => {
    const bytes = withoutPackets(CLEAN, [VIDEO_PES[10]![2]!]);
    const { aus, reader } = read(bytes);
    expect(frames(aus)).toEqual([...range(0, 10), ...range(20, 30)]);
    expect(reader.stats.unitsDroppedAfterLoss).toBe(9);
  });

  test("a lost audio packet costs that audio frame only", () => {
    const bytes = withoutPackets(CLEAN, [AUDIO_PES[5]![0]!]);
    const { aus, reader } = read(bytes);
    expect(reader.demuxer.stats.ccErrors).toBe(1);
    expect(audioCount(aus)).toBe(AUDIO_PES.length - 1);
    expect(frames(aus)).toEqual(range(0, 30));
    expect(reader.stats.unitsDroppedAfterLoss).toBe(0);
  });

  test("a repeated packet (same continuity_counter, 2.4.3.3) is not a loss", () => {
    const at = VIDEO_PES[4]![0]!;
    const bytes = new Uint8Array(CLEAN.length + TS_PACKET_SIZE);
    bytes.set(CLEAN.subarray(0, (at + 1) * TS_PACKET_SIZE));
    bytes.set(CLEAN.subarray(at * TS_PACKET_SIZE), (at + 1) * TS_PACKET_SIZE);
    const { aus, reader } = read(bytes);
    expect(reader.demuxer.stats.ccErrors).toBe(0);
    expect(frames(aus)).toEqual(range(0, 30));
    expect(reader.stats.unitsDroppedAfterLoss).toBe(0);
  });

  test("a transport_error_indicator counts as a loss", () => {
    const bytes = CLEAN.slice();
    bytes[VIDEO_PES[5]![1]! * TS_PACKET_SIZE + 1] |= 0x80;
    const { aus, reader } = read(bytes);
    expect(reader.demuxer.stats.transportErrors).toBe(1);
    expect(frames(aus)).toEqual([0, 1, 2, 3, 4, ...range(10, 30)]);
  });
});
