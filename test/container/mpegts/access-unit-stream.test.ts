import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import type { AccessUnit } from "../../../src/core/access-unit.ts";
import { TsAccessUnitReader } from "../../../src/container/mpegts/access-unit-reader.ts";
import { tsAccessUnitStream } from "../../../src/container/mpegts/access-unit-stream.ts";
import { rng } from "../../codec/bit-writer.ts";

const DEMO = new Uint8Array(readFileSync(new URL("../../../assets/demo.ts", import.meta.url)));

test("tsAccessUnitStream: demo.ts in random chunks, flushed on close", async () => {
  const rand = rng(3);
  let at = 0;
  const source = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= DEMO.length) return controller.close();
      const n = 1 + Math.floor(rand() * 5000);
      const chunk = DEMO.slice(at, at + n);
      at += n;
      controller.enqueue(chunk);
    },
  });
  const reader = new TsAccessUnitReader();
  const aus: AccessUnit[] = [];
  await source.pipeThrough(tsAccessUnitStream({}, reader)).pipeTo(
    new WritableStream({ write: (au) => void aus.push(au) }),
  );
  expect(aus.filter((u) => u.track.kind === "video").length).toBe(200);
  expect(aus.filter((u) => u.track.kind === "audio").length).toBe(376);
  expect(reader.demuxer.stats.ccErrors).toBe(0);
  expect(reader.tracks.map((t) => t.codec)).toEqual(["h264", "aac"]);
});
