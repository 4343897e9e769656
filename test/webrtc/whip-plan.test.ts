import { expect, test } from "bun:test";
import { parseWhepOffer } from "../../src/webrtc/offer.ts";
import { planPublish } from "../../src/webrtc/whip-plan.ts";
import { audioSection, CHROMIUM_OFFER, CHROMIUM_PUBLISH_OFFER, h264Section, offer } from "./offers.ts";

test("Chromium's publishing offer: Opus, and H.264 Constrained Baseline in packetization-mode 1, as tracks in section order", () => {
  const plan = planPublish(parseWhepOffer(CHROMIUM_PUBLISH_OFFER));
  expect(plan.take.map((t) => [t.section.index, t.media.codec, t.codec.payloadType, t.codec.fmtp["profile-level-id"] ?? "-"])).toEqual([
    [0, "opus", 111, "-"],
    [1, "h264", 108, "42e01f"],
  ]);
  expect(plan.take[1]!.media).toMatchObject({ type: "video", clockRate: 90000 });
  expect(plan.ignored).toEqual([]);
});

test("sections the publisher does not send on, second sections of a kind, and codecs we do not take are ignored with the reason", () => {
  expect(planPublish(parseWhepOffer(CHROMIUM_OFFER)).ignored.map((i) => i.reason)).toEqual(["the publisher does not send on it", "the publisher does not send on it"]);
  const plan = planPublish(
    parseWhepOffer(
      offer(
        h264Section(96, "packetization-mode=1;profile-level-id=64001f", "sendonly"),
        h264Section(97, "packetization-mode=1;profile-level-id=42e01f", "sendonly"),
        { m: "m=video 9 UDP/TLS/RTP/SAVPF 98", lines: ["a=sendonly", "a=rtpmap:98 VP8/90000"] },
        audioSection("0", [], "sendonly"),
      ),
    ),
  );
  expect(plan.take.map((t) => [t.section.index, t.codec.payloadType])).toEqual([[0, 96]]);
  expect(plan.ignored.map((i) => [i.index, i.reason])).toEqual([
    [1, "one video track per publisher"],
    [2, "one video track per publisher"],
    [3, "no Opus offered (this server takes H.264 and Opus)"],
  ]);
  const vp8 = planPublish(parseWhepOffer(offer({ m: "m=video 9 UDP/TLS/RTP/SAVPF 98", lines: ["a=sendonly", "a=rtpmap:98 VP8/90000"] })));
  expect(vp8.take).toEqual([]);
  expect(vp8.ignored[0]!.reason).toMatch(/no H.264 with packetization-mode 1/);
});
