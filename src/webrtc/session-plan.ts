import type { Track } from "../core/track.ts";
import { fitCodec } from "./codec-match.ts";
import type { OfferedCodec, OfferedSection, WhepOffer } from "./offer.ts";

/** One stream track sent in one m-section with one payload format. */
export interface PlannedTrack {
  readonly track: Track;
  readonly section: OfferedSection;
  readonly codec: OfferedCodec;
  /** Something the viewer may want to know (a profile mismatch), not an error. */
  readonly note?: string;
}

/** A stream track that will not be sent, and why: reported in the session, never a failure. */
export interface LeftOutTrack {
  readonly id: number;
  readonly codec: string;
  readonly reason: string;
}

export interface SessionPlan {
  readonly send: PlannedTrack[];
  readonly leftOut: LeftOutTrack[];
}

/**
 * Puts each track of the stream in the first free m-section of its kind
 * that can receive it, with the payload format that fits best. A track with
 * no such section is left out with the reason; tracks are tried in id order
 * so the answer is the same for the same stream and offer. `unsendable`
 * says why a track cannot go to any browser whatever the offer (B-frames).
 */
export function planSession(tracks: readonly Track[], offer: WhepOffer, unsendable: (track: Track) => string | undefined = () => undefined): SessionPlan {
  const send: PlannedTrack[] = [];
  const leftOut: LeftOutTrack[] = [];
  const used = new Set<OfferedSection>();
  for (const track of [...tracks].filter(Boolean).sort((a, b) => a.id - b.id)) {
    const problem = unsendable(track);
    if (problem !== undefined) {
      leftOut.push({ id: track.id, codec: track.codec, reason: problem });
      continue;
    }
    const sections = offer.sections.filter((s) => s.kind === track.kind && !used.has(s));
    const receiving = sections.filter((s) => s.receives);
    if (receiving.length === 0) {
      const why = sections.length > 0 ? `the offer's ${track.kind} m-section does not receive (sendonly or inactive)` : `no free ${track.kind} m-section in the offer`;
      leftOut.push({ id: track.id, codec: track.codec, reason: why });
      continue;
    }
    let reason = "";
    let placed = false;
    for (const section of receiving) {
      const fit = fitCodec(track, section.codecs);
      if ("reason" in fit) {
        reason ||= fit.reason;
        continue;
      }
      used.add(section);
      send.push(fit.note === undefined ? { track, section, codec: fit.codec } : { track, section, codec: fit.codec, note: fit.note });
      placed = true;
      break;
    }
    if (!placed) leftOut.push({ id: track.id, codec: track.codec, reason });
  }
  return { send, leftOut };
}
