/**
 * LL-HLS delivery directives (RFC 8216bis 6.2.5): `_HLS_msn`, `_HLS_part`
 * and `_HLS_skip` on a playlist request, and when such a request can be answered.
 */

export interface DeliveryDirectives {
  /** Block until the playlist holds this media sequence number (or later). */
  readonly msn?: number;
  /** ...and this part of it. */
  readonly part?: number;
  /** A delta update is asked for (`YES` or `v2`; we have no date ranges, so both are the same). */
  readonly skip: boolean;
}

/** Longest decimal-integer we take: more digits are not a sequence number we could reach. */
const MAX_DIGITS = 12;
const INTEGER = new RegExp(`^\\d{1,${MAX_DIGITS}}$`);

/** The directives of a query, or a sentence saying why they are wrong (a 400). */
export function parseDirectives(query: URLSearchParams): DeliveryDirectives | string {
  const msn = query.get("_HLS_msn");
  const part = query.get("_HLS_part");
  const skip = query.get("_HLS_skip");
  if (msn !== null && !INTEGER.test(msn)) return "_HLS_msn must be a decimal integer";
  if (part !== null && !INTEGER.test(part)) return "_HLS_part must be a decimal integer";
  // RFC 8216bis 6.2.5.2: a part without a sequence number is a Bad Request.
  if (part !== null && msn === null) return "_HLS_part needs _HLS_msn";
  return { msn: msn === null ? undefined : Number(msn), part: part === null ? undefined : Number(part), skip: skip === "YES" || skip === "v2" };
}

/** Where the live playlist stands. */
export interface LiveEdge {
  /** Media sequence number of the first segment in the playlist. */
  readonly firstMsn: number;
  /** Media sequence number of the last complete segment; firstMsn - 1 when none. */
  readonly lastMsn: number;
  /** Parts of a complete segment still in the playlist window, or undefined. */
  partsOf(msn: number): number | undefined;
  /** Parts published so far of the segment being written (msn lastMsn + 1). */
  readonly openParts: number;
  /** Part target, seconds. */
  readonly partTarget: number;
}

export type Verdict = "ready" | "wait" | "too-far";

/**
 * Advance Part Limit (RFC 8216bis 6.2.5.2): three divided by the part target
 * when that is under a second, else three.
 */
export function advancePartLimit(partTarget: number): number {
  return partTarget < 1 ? Math.floor(3 / partTarget) : 3;
}

/**
 * Whether a blocking request for `msn` (and `part`) can be answered now, must
 * wait, or asks so far ahead that it gets a 400 at once (RFC 8216bis 6.2.5.2).
 */
export function judge(msn: number, part: number | undefined, edge: LiveEdge): Verdict {
  const open = edge.lastMsn + 1;
  // "greater than the Media Sequence Number of the last Media Segment in the current Playlist plus two"
  if (msn > edge.lastMsn + 2) return "too-far";
  if (part === undefined) return msn <= edge.lastMsn ? "ready" : "wait";
  const limit = advancePartLimit(edge.partTarget);
  if (msn === open && part - (edge.openParts - 1) > limit) return "too-far";
  if (msn > open && part + 1 > limit) return "too-far";
  // Gone from the window: the current playlist is "later" than what was asked.
  if (msn < edge.firstMsn) return "ready";
  if (msn <= edge.lastMsn) {
    const parts = edge.partsOf(msn);
    if (parts === undefined || part < parts) return "ready";
    // A part index past the segment's last part means part 0 of the next segment (RFC 8216bis 6.2.5.2).
    return judge(msn + 1, 0, edge);
  }
  if (msn === open) return part < edge.openParts ? "ready" : "wait";
  return "wait";
}
