import { AAC_FRAME_SAMPLES } from "../../codec/aac/config.ts";
import { ParseError } from "../../core/errors.ts";
import type { DepacketizedFrame, Depacketizer } from "../depacketizer.ts";
import { emptyStats } from "../depacketizer.ts";
import { FragmentBuffer, NO_HEAD } from "../fragment-buffer.ts";
import type { RtpPacket } from "../packet.ts";
import { SequenceTracker } from "../sequence.ts";
import { type AuHeaderLayout, readAuHeaders } from "./au-headers.ts";

/**
 * Largest AAC access unit rebuilt from fragments. An AAC frame holds at most
 * 6144 bits per channel (ISO 14496-3 4.5.3.1), 6 KiB for 8 channels; 64 KiB
 * is the most a 16-bit sizeLength can express and bounds a stuck fragment.
 */
export const MAX_AAC_AU_SIZE = 0xffff;
/** sizeLength, indexLength and indexDeltaLength above 16 bits would describe AUs larger than we accept. */
const MAX_FIELD_BITS = 16;

const NONE: DepacketizedFrame[] = [];

/**
 * RTP payload format for MPEG-4 audio, RFC 3640 (mpeg4-generic, AAC-hbr and
 * AAC-lbr). One frame per AU, each 1024 samples after the previous one
 * (timestamps assume the RTP clock is the sample rate, as RFC 3640 4.1
 * recommends). An AU larger than a packet arrives in fragments (3.2.3):
 * one AU-header each, all with the whole AU's size, marker on the last.
 */
export class AacDepacketizer implements Depacketizer {
  readonly stats = emptyStats();
  lastError: string | undefined;
  private readonly layout: AuHeaderLayout;
  private readonly sequence = new SequenceTracker();
  private readonly fragment = new FragmentBuffer(MAX_AAC_AU_SIZE);
  private fragmentSize = 0;
  private fragmentTimestamp = 0;
  /** After a loss, fragments up to the next marker bit belong to an AU whose start may be gone. */
  private resyncing = false;
  /** The AU being skipped while resyncing was already counted when its fragments were dropped. */
  private resyncCounted = false;

  constructor(options: AuHeaderLayout) {
    const { sizeLength, indexLength, indexDeltaLength } = options;
    const ok = (n: number, least: number): boolean => Number.isInteger(n) && n >= least && n <= MAX_FIELD_BITS;
    if (!ok(sizeLength, 1) || !ok(indexLength, 0) || !ok(indexDeltaLength, 0)) {
      throw new ParseError(`RFC 3640: unsupported AU-header layout sizeLength=${sizeLength} indexLength=${indexLength} indexDeltaLength=${indexDeltaLength}`);
    }
    this.layout = { sizeLength, indexLength, indexDeltaLength };
  }

  push(p: RtpPacket): DepacketizedFrame[] {
    this.stats.packets++;
    const seq = this.sequence.push(p.sequence);
    this.stats.lost = this.sequence.lost;
    if (seq.duplicate || seq.reordered) return NONE;
    if (seq.lost > 0) {
      this.resyncCounted = this.fragment.active;
      this.dropFragment();
      this.resyncing = true;
    }
    try {
      return this.read(p);
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      this.stats.malformed++;
      this.lastError = e.message;
      if (this.fragment.active) this.dropFragment();
      else this.stats.framesDropped++;
      return NONE;
    }
  }

  private read(p: RtpPacket): DepacketizedFrame[] {
    const { sizes, dataOffset } = readAuHeaders(p.payload, this.layout);
    const data = p.payload.subarray(dataOffset);
    if (this.fragment.active) {
      if (sizes.length !== 1 || sizes[0] !== this.fragmentSize || p.timestamp !== this.fragmentTimestamp) {
        // A new AU started without the old one's last fragment.
        this.dropFragment();
      } else {
        return this.continueFragment(data, p.marker);
      }
    }
    const fragmented = sizes.length === 1 && sizes[0]! > data.length;
    if (this.resyncing) {
      this.resyncing = fragmented && !p.marker;
      if (fragmented) {
        if (p.marker && !this.resyncCounted) this.stats.framesDropped++;
        return NONE;
      }
    }
    if (fragmented) {
      this.fragmentSize = sizes[0]!;
      this.fragmentTimestamp = p.timestamp;
      this.fragment.start(NO_HEAD, data);
      return NONE;
    }
    const out: DepacketizedFrame[] = [];
    let at = 0;
    for (let i = 0; i < sizes.length; i++) {
      const size = sizes[i]!;
      if (at + size > data.length) throw new ParseError(`RFC 3640: AU ${i} of ${size} bytes overruns the packet`);
      if (size > 0) out.push({ units: [data.subarray(at, at + size)], timestamp: (p.timestamp + i * AAC_FRAME_SAMPLES) >>> 0, key: true });
      at += size;
    }
    this.stats.framesOut += out.length;
    return out;
  }

  private continueFragment(data: Uint8Array, marker: boolean): DepacketizedFrame[] {
    if (!this.fragment.append(data) || this.fragment.length > this.fragmentSize) {
      throw new ParseError(`RFC 3640: fragments exceed the AU size of ${this.fragmentSize} bytes`);
    }
    if (this.fragment.length < this.fragmentSize) {
      if (marker) throw new ParseError("RFC 3640: marker bit on a fragment before the AU is complete");
      return NONE;
    }
    this.stats.framesOut++;
    return [{ units: [this.fragment.finish()], timestamp: this.fragmentTimestamp, key: true }];
  }

  private dropFragment(): void {
    if (!this.fragment.active) return;
    this.fragment.reset();
    this.stats.framesDropped++;
  }
}
