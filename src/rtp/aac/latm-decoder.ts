import { AAC_FRAME_SAMPLES } from "../../codec/aac/config.ts";
import { ParseError } from "../../core/errors.ts";
import type { DepacketizedFrame, Depacketizer } from "../depacketizer.ts";
import { emptyStats } from "../depacketizer.ts";
import { FragmentBuffer, NO_HEAD } from "../fragment-buffer.ts";
import type { RtpPacket } from "../packet.ts";
import { SequenceTracker } from "../sequence.ts";
import { MAX_AAC_AU_SIZE } from "./decoder.ts";
import type { LatmConfig } from "./latm-config.ts";

/** PayloadLengthInfo adds bytes of 255 until one is smaller (ISO 14496-3 1.7.3, frameLengthType 0). */
const LENGTH_CONTINUES = 255;

const NONE: DepacketizedFrame[] = [];

/**
 * RTP payload format MP4A-LATM, RFC 6416 with cpresent=0 (the StreamMuxConfig
 * is in the SDP, see parseLatmConfig). A packet holds AudioMuxElements, or a
 * fragment of one with the marker bit on the last (6.1). Each subframe is
 * PayloadLengthInfo then PayloadMux: one AAC frame, 1024 samples after the
 * previous one.
 */
export class LatmDepacketizer implements Depacketizer {
  readonly stats = emptyStats();
  lastError: string | undefined;
  private readonly sequence = new SequenceTracker();
  private readonly pending = new FragmentBuffer(MAX_AAC_AU_SIZE);
  private pendingTimestamp = 0;
  /** Packets were lost since the last marker: what arrives may be the tail of an element. */
  private afterLoss: false | "counted" | "uncounted" = false;

  constructor(private readonly options: Pick<LatmConfig, "numSubFrames">) {}

  push(p: RtpPacket): DepacketizedFrame[] {
    this.stats.packets++;
    const seq = this.sequence.push(p.sequence);
    this.stats.lost = this.sequence.lost;
    if (seq.duplicate || seq.reordered) return NONE;
    if (seq.lost > 0) this.afterLoss = this.pending.active ? "counted" : "uncounted";
    if (seq.lost > 0 || (this.pending.active && p.timestamp !== this.pendingTimestamp)) this.drop();
    if (!this.pending.active) {
      this.pendingTimestamp = p.timestamp;
      this.pending.start(NO_HEAD, p.payload);
    } else if (!this.pending.append(p.payload)) {
      this.stats.framesDropped++;
      return NONE;
    }
    if (!p.marker) return NONE;
    const afterLoss = this.afterLoss;
    this.afterLoss = false;
    try {
      const frames = this.read(this.pending.finish(), this.pendingTimestamp);
      this.stats.framesOut += frames.length;
      return frames;
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      // After a loss a tail fragment fails to parse: that is the loss, not the sender.
      if (!afterLoss) {
        this.stats.malformed++;
        this.lastError = e.message;
      }
      // The element whose head was dropped at the loss is counted once.
      if (afterLoss !== "counted") this.stats.framesDropped++;
      return NONE;
    }
  }

  private read(data: Uint8Array, timestamp: number): DepacketizedFrame[] {
    const out: DepacketizedFrame[] = [];
    let at = 0;
    while (at < data.length) {
      for (let i = 0; i <= this.options.numSubFrames; i++) {
        let size = 0;
        for (;;) {
          if (at >= data.length) throw new ParseError("MP4A-LATM: PayloadLengthInfo truncated");
          const b = data[at++]!;
          size += b;
          if (b !== LENGTH_CONTINUES) break;
        }
        if (at + size > data.length) throw new ParseError(`MP4A-LATM: frame of ${size} bytes overruns the packet`);
        if (size > 0) out.push({ units: [data.subarray(at, at + size)], timestamp: (timestamp + out.length * AAC_FRAME_SAMPLES) >>> 0, key: true });
        at += size;
      }
    }
    return out;
  }

  private drop(): void {
    if (!this.pending.active) return;
    this.pending.reset();
    this.stats.framesDropped++;
  }
}
