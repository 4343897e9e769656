import { describe, expect, test } from "bun:test";
import { PTS_MODULO } from "../../../src/container/mpegts/constants.ts";
import { TsDemuxer } from "../../../src/container/mpegts/demuxer.ts";
import { MAX_PCR_STEP_90K, PcrMonitor } from "../../../src/container/mpegts/pcr-monitor.ts";
import { FRAME_90K, H264_AAC, PMT_PID, simpleStream, TsBuilder, VIDEO_PID } from "./ts-builder.ts";

function demux(bytes: Uint8Array): TsDemuxer {
  const d = new TsDemuxer();
  d.push(bytes);
  d.flush();
  return d;
}

describe("PCR discontinuities", () => {
  test("monitor: steady, forward jump, backwards, 33-bit wrap, announced", () => {
    const m = new PcrMonitor();
    expect(m.push(1000)).toBe("ok");
    expect(m.push(1000)).toBe("ok"); // a repeated packet
    expect(m.push(1000 + MAX_PCR_STEP_90K)).toBe("ok");
    expect(m.push(1000 + 2 * MAX_PCR_STEP_90K + 1)).toBe("jump");
    expect(m.push(500)).toBe("jump");
    expect(m.push(PTS_MODULO - 1800)).toBe("jump"); // backwards across the wrap
    expect(m.push(1800)).toBe("ok"); // forward across the wrap: 3600 ticks
    m.announce();
    expect(m.push(5 * PTS_MODULO / 8)).toBe("signalled");
    expect(m.push(5 * PTS_MODULO / 8 + 3600)).toBe("ok");
  });

  test("a steady clock across the 33-bit wrap counts nothing", () => {
    const d = demux(simpleStream(60, 10, (i) => PTS_MODULO - 30 * FRAME_90K + i * FRAME_90K).bytes());
    expect(d.pcr).toBe(29 * FRAME_90K);
    expect(d.stats).toMatchObject({ pcrDiscontinuities: 0, pcrSignalledDiscontinuities: 0, ccErrors: 0 });
  });

  test("a jump forward and one backwards are counted", () => {
    const d = demux(simpleStream(40, 10, (i) => (i < 10 ? i : i < 30 ? i + 1000 : i - 100) * FRAME_90K).bytes());
    expect(d.stats.pcrDiscontinuities).toBe(2);
    expect(d.stats.pcrSignalledDiscontinuities).toBe(0);
  });

  test("a jump announced by discontinuity_indicator is not an error", () => {
    const b = new TsBuilder().pat([{ programNumber: 1, pmtPid: PMT_PID }]).pmt(PMT_PID, 1, VIDEO_PID, H264_AAC);
    for (let i = 0; i < 10; i++) b.video(VIDEO_PID, i, 10, { pcr: i * FRAME_90K });
    b.video(VIDEO_PID, 10, 10, { pcr: 2 ** 32, discontinuity: true });
    for (let i = 11; i < 20; i++) b.video(VIDEO_PID, i, 10, { pcr: 2 ** 32 + (i - 10) * FRAME_90K });
    const d = demux(b.bytes());
    expect(d.stats).toMatchObject({ pcrDiscontinuities: 0, pcrSignalledDiscontinuities: 1, ccErrors: 0 });
  });

  test("PCRs on other PIDs than PCR_PID are not followed", () => {
    const b = new TsBuilder().pat([{ programNumber: 1, pmtPid: PMT_PID }]).pmt(PMT_PID, 1, VIDEO_PID, H264_AAC);
    for (let i = 0; i < 5; i++) b.video(VIDEO_PID, i, 10, { pcr: i * FRAME_90K }).audio(0x101, i, { pcr: 10 ** 9 * (i % 2) });
    const d = demux(b.bytes());
    expect(d.stats.pcrDiscontinuities).toBe(0);
    expect(d.pcr).toBe(4 * FRAME_90K);
  });
});
