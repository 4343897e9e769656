/** The EXT-X-MAP resource of fMP4 segments (RFC 8216 4.3.2.5): ftyp + moov, a few hundred bytes. */
export interface InitSegment {
  readonly name: string;
  readonly bytes: Uint8Array;
}
