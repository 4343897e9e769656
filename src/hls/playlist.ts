/** Media playlist text (RFC 8216 section 4.3), rendered once per change, never per request. */

export interface PlaylistEntry {
  readonly name: string;
  readonly duration: number;
  readonly discontinuity: boolean;
  /** Wall-clock ms of the segment's first unit (EXT-X-PROGRAM-DATE-TIME, RFC 8216 4.3.2.6). */
  readonly programDateTime?: number;
}

export interface MediaPlaylist {
  readonly targetDuration: number;
  readonly mediaSequence: number;
  readonly discontinuitySequence: number;
  readonly segments: readonly PlaylistEntry[];
  /** Appended to every segment URI (e.g. an access token), already encoded. */
  readonly query?: string;
}

export function renderMediaPlaylist(p: MediaPlaylist): string {
  const lines = [
    "#EXTM3U",
    // Version 3: decimal EXTINF durations (RFC 8216 section 7).
    "#EXT-X-VERSION:3",
    `#EXT-X-TARGETDURATION:${p.targetDuration}`,
    `#EXT-X-MEDIA-SEQUENCE:${p.mediaSequence}`,
  ];
  if (p.discontinuitySequence > 0) lines.push(`#EXT-X-DISCONTINUITY-SEQUENCE:${p.discontinuitySequence}`);
  for (const s of p.segments) {
    if (s.discontinuity) lines.push("#EXT-X-DISCONTINUITY");
    // On every segment, so a player maps any position to a date (and after a discontinuity, RFC 8216bis 6.2.1).
    if (s.programDateTime !== undefined) lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(s.programDateTime).toISOString()}`);
    lines.push(`#EXTINF:${s.duration.toFixed(3)},`, p.query ? `${s.name}?${p.query}` : s.name);
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
