import { describe, expect, test } from "bun:test";
import HLS from "hls-parser";
import { HlsSchema } from "../../src/config/schema.ts";
import { ChunkPool } from "../../src/core/chunk-pool.ts";
import { StreamRegistry } from "../../src/core/registry.ts";
import { HlsMuxer } from "../../src/hls/muxer.ts";
import { DEMO_TS, readTs } from "../container/fmp4/helpers.ts";

HLS.setOptions({ strictMode: true });

const tick = () => new Promise((r) => setTimeout(r, 0));
const demo = readTs(DEMO_TS);

/** A low-latency muxer on a stream fed unit by unit from the demo clip. */
async function setup(maxBlockedRequests = 100) {
  const registry = new StreamRegistry({ maxDuration: 10, maxBytes: 64 << 20, slowReader: "skip" });
  const stream = registry.create("cam");
  for (const t of demo.tracks) stream.setTrack(t);
  const muxer = new HlsMuxer(stream, HlsSchema.parse({ variant: "lowLatency", maxBlockedRequests }), new ChunkPool(188 * 1024, 16));
  let next = 0;
  /** Pushes one unit and lets the muxer's reader take it. */
  const pushOne = async () => {
    stream.push(demo.units[next++]!);
    await tick();
  };
  while (!muxer.playlist) await pushOne();
  const text = () => new TextDecoder().decode(muxer.playlist!.body);
  return { muxer, pushOne, text };
}

function edgeOf(text: string) {
  const p = HLS.parse(text) as HLS.types.MediaPlaylist;
  const trailing = p.segments[p.segments.length - 1]!;
  return { msn: p.mediaSequenceBase! + p.segments.length - 1, parts: trailing.parts.filter((x) => !x.hint).length, hint: trailing.parts.find((x) => x.hint)!.uri };
}

describe("low-latency muxer", () => {
  test("a blocking reload is answered in the turn its part is published, not a unit earlier", async () => {
    const { muxer, pushOne, text } = await setup();
    for (let round = 0; round < 12; round++) {
      const edge = edgeOf(text());
      expect(muxer.judge(edge.msn, edge.parts)).toBe("wait");
      let answered = false;
      void muxer.waitForReload(edge.msn, edge.parts, 10_000)!.then((ok) => (answered = ok));
      let pushes = 0;
      while (!answered) {
        expect(muxer.part(edge.hint)).toBeUndefined();
        await pushOne();
        pushes++;
        expect(pushes).toBeLessThan(40);
      }
      // The hinted part is the one that appeared, and it is the newest in the playlist that answered.
      expect(muxer.part(edge.hint)).toBeDefined();
      expect(text()).toContain(`URI="${edge.hint}"`);
      expect(edgeOf(text()).hint).not.toBe(edge.hint);
    }
    muxer.close();
  });

  test("a part index past a segment's last part waits for part 0 of the next segment", async () => {
    const { muxer, pushOne, text } = await setup();
    // Right after the first segment completed: ten parts (0..9), nothing of the next one yet.
    const p = HLS.parse(text()) as HLS.types.MediaPlaylist;
    const msn = p.mediaSequenceBase! + p.segments.length - 2;
    expect(p.segments[p.segments.length - 2]!.parts.length).toBe(10);
    expect(muxer.judge(msn, 9)).toBe("ready");
    expect(muxer.judge(msn, 10)).toBe("wait");
    let answered = false;
    void muxer.waitForReload(msn, 10, 10_000)!.then((ok) => (answered = ok));
    while (!answered) await pushOne();
    expect(edgeOf(text())).toMatchObject({ msn: msn + 1, parts: 1 });
    muxer.close();
  });

  test("held requests are bounded, and closing answers them", async () => {
    const { muxer } = await setup(2);
    const a = muxer.waitForReload(1000, undefined, 10_000);
    const b = muxer.waitForReload(1000, undefined, 10_000);
    expect(muxer.waitForReload(1000, undefined, 10_000)).toBeUndefined();
    expect(muxer.waiting).toBe(2);
    muxer.close();
    expect(await Promise.all([a, b])).toEqual([false, false]);
  });

  test("with nothing past the skip boundary yet, a delta request gets the full playlist", async () => {
    const { muxer, pushOne } = await setup();
    // Two more seconds of clip: two or three 2 s segments, none ending 12 s before the end.
    for (let i = 0; i < 150; i++) await pushOne();
    expect(muxer.segments.length).toBeGreaterThanOrEqual(2);
    expect(muxer.playlistFor(true)).toBe(muxer.playlist);
    muxer.close();
  });
});
