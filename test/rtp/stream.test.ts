import { expect, test } from "bun:test";
import type { DepacketizedFrame } from "../../src/rtp/depacketizer.ts";
import { depacketizerStream } from "../../src/rtp/depacketizer-stream.ts";
import { H264Depacketizer } from "../../src/rtp/h264/decoder.ts";
import { parseRtpPacket } from "../../src/rtp/packet.ts";
import { readFixture } from "./fixtures/capture.ts";

test("depacketizerStream pipes real packets to frames", async () => {
  const packets = readFixture(new URL("fixtures/h264.rtp", import.meta.url)).map(parseRtpPacket);
  const source = new ReadableStream({
    start(c) {
      for (const p of packets) c.enqueue(p);
      c.close();
    },
  });
  const frames: DepacketizedFrame[] = [];
  await source.pipeThrough(depacketizerStream(new H264Depacketizer())).pipeTo(new WritableStream({ write: (f) => void frames.push(f) }));
  expect(frames.length).toBe(50);
});
