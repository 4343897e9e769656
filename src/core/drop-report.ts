import type { Logger } from "./log.ts";

/** At most one warning per stream this often, however many readers drop. */
const REPORT_EVERY_MS = 10_000;

/**
 * Rate-limited warnings about readers too slow for their stream: drops are
 * added up per reader and said once per interval ("demo: readers too slow,
 * 37 frames dropped in the last 10 s: rtsp 10.0.0.7 30, webrtc 10.0.0.9 7").
 */
export class DropReport {
  private readonly pending = new Map<string, number>();
  private lastReport = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly path: string,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** `frames` units were skipped by the reader called `reader` (protocol and address). */
  note(reader: string, frames: number): void {
    if (frames <= 0) return;
    this.pending.set(reader, (this.pending.get(reader) ?? 0) + frames);
    const wait = this.lastReport + REPORT_EVERY_MS - this.now();
    if (wait <= 0) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), wait);
      (this.timer as { unref?: () => void }).unref?.();
    }
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return;
    const t = this.now();
    const total = [...this.pending.values()].reduce((a, b) => a + b, 0);
    const since = this.lastReport === 0 ? "" : ` in the last ${Math.round((t - this.lastReport) / 1000)} s`;
    const who = [...this.pending].map(([r, n]) => `${r} ${n}`).join(", ");
    this.log.warn(`${this.path}: readers too slow, ${total} frames dropped${since}: ${who}`);
    this.pending.clear();
    this.lastReport = t;
  }
}
