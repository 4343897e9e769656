/** Media playlist text (RFC 8216 section 4.3, RFC 8216bis for low latency), rendered once per change, never per request. */

export interface PartEntry {
  readonly name: string;
  readonly duration: number;
  readonly independent: boolean;
}

export interface PlaylistEntry {
  readonly name: string;
  readonly duration: number;
  readonly discontinuity: boolean;
  /** Wall-clock ms of the segment's first unit (EXT-X-PROGRAM-DATE-TIME, RFC 8216 4.3.2.6). */
  readonly programDateTime?: number;
  /** URI of the init segment (EXT-X-MAP) it needs; fMP4 only. */
  readonly map?: string;
  /** Its parts, listed near the live edge (low latency). */
  readonly parts?: readonly PartEntry[];
}

/** The segment being written: its tags and the parts published so far. */
export interface OpenEntry {
  readonly discontinuity: boolean;
  readonly programDateTime?: number;
  readonly map?: string;
  readonly parts: readonly PartEntry[];
}

export interface LowLatency {
  /** EXT-X-PART-INF PART-TARGET, seconds. */
  readonly partTarget: number;
  /** EXT-X-SERVER-CONTROL PART-HOLD-BACK, seconds. */
  readonly partHoldBack: number;
  /** EXT-X-SERVER-CONTROL CAN-SKIP-UNTIL, seconds; delta updates skip segments further than this from the end. */
  readonly canSkipUntil: number;
  readonly open?: OpenEntry;
  /** URI of the next part (EXT-X-PRELOAD-HINT TYPE=PART). */
  readonly preloadHint: string;
  /** Leading segments replaced by EXT-X-SKIP (a delta update, RFC 8216bis 6.2.5.1). */
  readonly skip?: number;
}

export interface MediaPlaylist {
  readonly targetDuration: number;
  readonly mediaSequence: number;
  readonly discontinuitySequence: number;
  readonly segments: readonly PlaylistEntry[];
  /** Appended to every segment URI (e.g. an access token), already encoded. */
  readonly query?: string;
  readonly lowLatency?: LowLatency;
}

/** Decimal seconds with at most 5 fractional digits (PART-TARGET may be e.g. 0.16683). */
const seconds = (s: number): string => String(Math.round(s * 1e5) / 1e5);

export function renderMediaPlaylist(p: MediaPlaylist): string {
  const ll = p.lowLatency;
  const skip = ll?.skip ?? 0;
  const uri = (name: string) => (p.query ? `${name}?${p.query}` : name);
  const lines = [
    "#EXTM3U",
    // RFC 8216bis section 8: 3 for decimal EXTINF, 6 for EXT-X-MAP, 9 for EXT-X-SKIP.
    `#EXT-X-VERSION:${skip > 0 ? 9 : p.segments.some((s) => s.map) || ll?.open?.map ? 6 : 3}`,
    `#EXT-X-TARGETDURATION:${p.targetDuration}`,
  ];
  if (ll) {
    lines.push(
      `#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,CAN-SKIP-UNTIL=${seconds(ll.canSkipUntil)},PART-HOLD-BACK=${seconds(ll.partHoldBack)}`,
      `#EXT-X-PART-INF:PART-TARGET=${seconds(ll.partTarget)}`,
    );
  }
  lines.push(`#EXT-X-MEDIA-SEQUENCE:${p.mediaSequence}`);
  if (p.discontinuitySequence > 0) lines.push(`#EXT-X-DISCONTINUITY-SEQUENCE:${p.discontinuitySequence}`);
  if (skip > 0) lines.push(`#EXT-X-SKIP:SKIPPED-SEGMENTS=${skip}`);
  let map: string | undefined;
  const head = (s: { discontinuity: boolean; programDateTime?: number; map?: string }) => {
    if (s.discontinuity) lines.push("#EXT-X-DISCONTINUITY");
    // Repeated after a skip: the tag that applied before was skipped with its segments.
    if (s.map && s.map !== map) lines.push(`#EXT-X-MAP:URI="${uri(s.map)}"`);
    map = s.map;
    // On every segment, so a player maps any position to a date (and after a discontinuity, RFC 8216bis 6.2.1).
    if (s.programDateTime !== undefined) lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(s.programDateTime).toISOString()}`);
  };
  const parts = (list: readonly PartEntry[] | undefined) => {
    for (const part of list ?? []) {
      lines.push(`#EXT-X-PART:DURATION=${seconds(part.duration)},URI="${uri(part.name)}"${part.independent ? ",INDEPENDENT=YES" : ""}`);
    }
  };
  for (const s of p.segments.slice(skip)) {
    head(s);
    parts(s.parts);
    lines.push(`#EXTINF:${s.duration.toFixed(3)},`, uri(s.name));
  }
  if (ll) {
    if (ll.open && ll.open.parts.length > 0) {
      head(ll.open);
      parts(ll.open.parts);
    }
    lines.push(`#EXT-X-PRELOAD-HINT:TYPE=PART,URI="${uri(ll.preloadHint)}"`);
  }
  return `${lines.join("\n")}\n`;
}

/**
 * EXTINF rounded must not exceed the target duration (RFC 8216 section
 * 4.3.3.1); segments end on keyframes, so a long GOP can raise it. It
 * never goes down while the playlist lives.
 */
export function targetDurationFor(configured: number, longestSegment: number, previous = 0): number {
  return Math.max(previous, Math.ceil(configured), Math.round(longestSegment));
}

/**
 * How many leading segments a delta update may skip (RFC 8216bis 6.2.5.1):
 * those that end at least `canSkipUntil` seconds before the end of the last
 * complete segment.
 */
export function skippableSegments(durations: readonly number[], canSkipUntil: number): number {
  let fromEnd = 0;
  for (let i = durations.length - 1; i >= 0; i--) {
    if (fromEnd >= canSkipUntil) return i + 1;
    fromEnd += durations[i]!;
  }
  return 0;
}
