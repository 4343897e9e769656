import { PTS_MODULO, TS_CLOCK_RATE } from "./constants.ts";

/**
 * Largest forward step between two PCRs we take as the same time base.
 * ISO/IEC 13818-1 2.7.2 puts successive PCRs of a program at most 0.1 s
 * apart; ten times that leaves room for jitter and a few lost datagrams.
 */
export const MAX_PCR_STEP_90K = TS_CLOCK_RATE;

/** How one PCR relates to the previous one. */
export type PcrStep = "ok" | "jump" | "signalled";

/**
 * Follows program_clock_reference_base on the PCR PID (2.4.3.5) and tells a
 * steady clock from a jump nobody announced. Compares the 33-bit base only:
 * the 27 MHz extension adds nothing at this threshold.
 */
export class PcrMonitor {
  private last: number | undefined;
  private announced = false;

  /**
   * discontinuity_indicator on a packet of the PCR PID: the next PCR (maybe
   * in that very packet) samples a new system time base (2.4.3.5).
   */
  announce(): void {
    this.announced = true;
  }

  /** The PCR PID changed: the next PCR starts afresh. */
  reset(): void {
    this.last = undefined;
    this.announced = false;
  }

  push(pcr: number): PcrStep {
    const last = this.last;
    this.last = pcr;
    if (this.announced) {
      this.announced = false;
      return "signalled";
    }
    if (last === undefined) return "ok";
    // The base wraps every 2^33 ticks (~26.5 h): read the step modulo 2^33 as a signed number.
    let step = (pcr - last + PTS_MODULO) % PTS_MODULO;
    if (step >= PTS_MODULO / 2) step -= PTS_MODULO;
    return step < 0 || step > MAX_PCR_STEP_90K ? "jump" : "ok";
  }
}
