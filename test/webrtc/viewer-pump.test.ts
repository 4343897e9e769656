import { expect, test } from "bun:test";
import type { AccessUnit } from "../../src/core/access-unit.ts";
import { Stream } from "../../src/core/stream.ts";
import { MAX_EXTRA_LAG_SECONDS, ViewerPump } from "../../src/webrtc/viewer-pump.ts";
import { video, videoUnit } from "../helpers/units.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A viewer: a pump on its own reader, recording what its sink got. */
function viewer(stream: Stream, sinkMs: number) {
  const got: AccessUnit[] = [];
  const reader = stream.addReader("webrtc");
  const pump = new ViewerPump(reader, stream.ring, new Set([video.id]), (au) => au.key, async (au) => {
    got.push(au);
    if (sinkMs > 0) await sleep(sinkMs);
  });
  const done = pump.run();
  return { got, pump, reader, done };
}

test("a slow viewer drops whole frames up to a keyframe; a fast one on the same stream gets every frame", async () => {
  const stream = new Stream("t", { maxDuration: 10, maxBytes: 1 << 26, slowReader: "skip" });
  // 25 fps media pushed 4x faster than real time: 10 ms per frame, a keyframe every 10 frames.
  const frames = 200;
  stream.push(videoUnit(0, true));
  const fast = viewer(stream, 0);
  const slow = viewer(stream, 30);
  for (let i = 1; i < frames; i++) {
    await sleep(10);
    stream.push(videoUnit(i / 25, i % 10 === 0));
  }
  await sleep(100);
  fast.pump.stop();
  slow.pump.stop();
  stream.close("end");
  await Promise.all([fast.done, slow.done]);

  expect(fast.got.map((au) => au.dts)).toEqual(Array.from({ length: frames }, (_, i) => Math.round((i / 25) * 90000)));
  expect(fast.pump.framesDropped).toBe(0);

  expect(slow.pump.framesDropped).toBeGreaterThan(0);
  expect(slow.pump.framesSent + slow.pump.framesDropped).toBeLessThanOrEqual(frames);
  // Every jump in what the slow viewer got lands on a keyframe: the picture resumes cleanly.
  for (let i = 1; i < slow.got.length; i++) {
    const step = slow.got[i]!.dts - slow.got[i - 1]!.dts;
    if (step > 3600) expect(slow.got[i]!.key).toBe(true);
  }
  expect(slow.got.length).toBe(slow.pump.framesSent);
  expect(stream.readers.size).toBe(0);
});

test("the start-up backlog (newest keyframe onwards) is not lateness", async () => {
  const stream = new Stream("t", { maxDuration: 10, maxBytes: 1 << 26, slowReader: "skip" });
  // A 3 s GOP already in the ring: a new viewer starts 3 s behind, far past MAX_EXTRA_LAG_SECONDS.
  for (let i = 0; i < 75; i++) stream.push(videoUnit(i / 25, i === 0));
  expect(3).toBeGreaterThan(MAX_EXTRA_LAG_SECONDS);
  const v = viewer(stream, 0);
  await sleep(50);
  v.pump.stop();
  stream.close("end");
  await v.done;
  expect(v.pump.framesSent).toBe(75);
  expect(v.pump.framesDropped).toBe(0);
});

test("units of tracks the viewer does not take are skipped without counting as drops", async () => {
  const stream = new Stream("t", { maxDuration: 10, maxBytes: 1 << 26, slowReader: "skip" });
  const got: AccessUnit[] = [];
  const reader = stream.addReader("webrtc");
  const pump = new ViewerPump(reader, stream.ring, new Set([99]), () => true, (au) => void got.push(au));
  const done = pump.run();
  for (let i = 0; i < 10; i++) stream.push(videoUnit(i / 25, i === 0));
  await sleep(20);
  reader.close("gone");
  expect(await done).toBe("gone");
  expect(got).toEqual([]);
  expect(pump.framesDropped).toBe(0);
});
