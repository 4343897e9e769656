import type { ReceptionState } from "../../rtp/receiver-report.ts";

/** Sequence numbers of one RTP stream: extended highest, expected and lost (RFC 3550 A.3). */
export class Reception {
  ssrc = 0;
  private base: number | undefined;
  private highest = 0;
  received = 0;
  private lastExpected = 0;
  private lastReceived = 0;

  push(seq: number, ssrc: number): void {
    this.ssrc = ssrc;
    this.received++;
    if (this.base === undefined) {
      this.base = seq;
      this.highest = seq;
      return;
    }
    const cycles = this.highest & ~0xffff;
    let ext = cycles | seq;
    // Closest of the three candidates to the current highest: handles wrap both ways.
    if (ext - this.highest > 0x8000) ext -= 0x10000;
    else if (this.highest - ext > 0x8000) ext += 0x10000;
    if (ext > this.highest) this.highest = ext;
  }

  get expected(): number {
    return this.base === undefined ? 0 : this.highest - this.base + 1;
  }

  get lost(): number {
    return Math.max(0, this.expected - this.received);
  }

  /** State for a receiver report; also starts the next fraction-lost interval. */
  report(): ReceptionState {
    const expected = this.expected - this.lastExpected;
    const received = this.received - this.lastReceived;
    this.lastExpected = this.expected;
    this.lastReceived = this.received;
    const lostInterval = expected - received;
    const fractionLost = expected <= 0 || lostInterval <= 0 ? 0 : Math.min(255, Math.floor((lostInterval * 256) / expected));
    return { ssrc: this.ssrc, extendedHighest: this.highest, lost: this.lost, fractionLost };
  }
}
