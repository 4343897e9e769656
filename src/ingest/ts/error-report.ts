import type { Logger } from "../../core/log.ts";

/** Counters that mean damaged or lost input (TsDemuxer, TsAccessUnitReader, UDP receiver). */
const ERROR_COUNTERS = [
  "ccErrors",
  "resyncs",
  "transportErrors",
  "badPackets",
  "pesDropped",
  "pesErrors",
  "crcErrors",
  "psiErrors",
  "pcrDiscontinuities",
  "truncatedPackets",
  "pesTruncated",
  "programNotFound",
  "unitsDroppedAfterLoss",
  "parseErrors",
  "oddSizes",
];

/** At most one warning per stream this often, however bad the input. */
const REPORT_EVERY_MS = 10_000;

/**
 * Rate-limited warnings about damaged input: counts what grew and says it
 * once per interval ("cam: last 10 s: 37 ccErrors, 2 resyncs").
 */
export class ErrorReport {
  private readonly last = new Map<string, number>();
  private readonly pending = new Map<string, number>();
  private lastReport = 0;

  constructor(
    private readonly name: string,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  check(counters: Readonly<Record<string, number>>): void {
    for (const key of ERROR_COUNTERS) {
      const value = counters[key];
      if (value === undefined) continue;
      const grew = value - (this.last.get(key) ?? 0);
      this.last.set(key, value);
      if (grew > 0) this.pending.set(key, (this.pending.get(key) ?? 0) + grew);
    }
    const t = this.now();
    if (this.pending.size === 0 || t - this.lastReport < REPORT_EVERY_MS) return;
    const seconds = this.lastReport === 0 ? "" : ` in the last ${Math.round((t - this.lastReport) / 1000)} s`;
    this.log.warn(`${this.name}: damaged input${seconds}: ${[...this.pending].map(([k, v]) => `${v} ${k}`).join(", ")}`);
    this.pending.clear();
    this.lastReport = t;
  }
}
