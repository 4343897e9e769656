import type { MediaInfo } from "../rtsp/sdp.ts";
import type { OfferedCodec, OfferedSection, WhepOffer } from "./offer.ts";

/** One m-section we take media from, and the track it becomes. */
export interface PublishedSection {
  readonly section: OfferedSection;
  readonly codec: OfferedCodec;
  readonly media: MediaInfo;
}

export interface PublishPlan {
  readonly take: PublishedSection[];
  /** m-sections answered inactive, and why. */
  readonly ignored: { index: number; kind: string; reason: string }[];
}

/**
 * profile-level-id preference for H.264 from a publisher: Constrained
 * Baseline first (no B-frames by definition, A.2.1.1, so WHEP viewers can
 * decode it), then Baseline, then whatever else is offered in mode 1.
 */
function h264Rank(c: OfferedCodec): number {
  const id = (c.fmtp["profile-level-id"] ?? "").toLowerCase();
  if (/^42e0/.test(id) || /^42c0/.test(id)) return 0;
  if (/^42/.test(id)) return 1;
  return 2;
}

function pick(section: OfferedSection): { codec: OfferedCodec; media: MediaInfo } | string {
  if (section.kind === "video") {
    const modeOne = section.codecs.filter((c) => c.name.toUpperCase() === "H264" && c.fmtp["packetization-mode"] === "1");
    if (modeOne.length === 0) return "no H.264 with packetization-mode 1 offered (this server takes H.264 and Opus)";
    const codec = [...modeOne].sort((a, b) => h264Rank(a) - h264Rank(b))[0]!;
    return { codec, media: { type: "video", payloadType: codec.payloadType, codec: "h264", clockRate: 90000, fmtp: codec.fmtp } };
  }
  const codec = section.codecs.find((c) => c.name.toLowerCase() === "opus" && c.clockRate === 48000);
  if (!codec) return "no Opus offered (this server takes H.264 and Opus)";
  return { codec, media: { type: "audio", payloadType: codec.payloadType, codec: "opus", clockRate: 48000, channels: 2, fmtp: codec.fmtp } };
}

/**
 * What a WHIP publisher's offer gives us: the first sending video section
 * as H.264 and the first sending audio section as Opus, each a track of the
 * stream in that order. Other sections are answered inactive.
 */
export function planPublish(offer: WhepOffer): PublishPlan {
  const take: PublishedSection[] = [];
  const ignored: PublishPlan["ignored"] = [];
  for (const section of offer.sections) {
    if (!section.sends) {
      ignored.push({ index: section.index, kind: section.kind, reason: "the publisher does not send on it" });
      continue;
    }
    if (take.some((t) => t.section.kind === section.kind)) {
      ignored.push({ index: section.index, kind: section.kind, reason: `one ${section.kind} track per publisher` });
      continue;
    }
    const picked = pick(section);
    if (typeof picked === "string") ignored.push({ index: section.index, kind: section.kind, reason: picked });
    else take.push({ section, ...picked });
  }
  return { take, ignored };
}
