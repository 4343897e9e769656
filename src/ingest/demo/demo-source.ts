import type { Stream } from "../../core/stream.ts";
import type { SourceStatus, StatusSource } from "../source-status.ts";
import type { LoopClip } from "./loop-clip.ts";

/** Longest sleep between two pushes; keeps the pacing error small without a busy loop. */
const MAX_SLEEP_MS = 50;

/**
 * Replays a clip in real time into a stream, forever. Loop k shifts every
 * timestamp by k times the clip span (rounded per track clock), so time
 * runs on continuous and monotonic across the loop point.
 */
export class DemoSource implements StatusSource {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private index = 0;
  private loop = 0;
  private startedAt = 0;

  constructor(
    private readonly clip: LoopClip,
    private readonly stream: Stream,
    private readonly now: () => number = () => performance.now(),
  ) {}

  start(): void {
    this.stream.publisher = "demo";
    for (const t of this.clip.tracks) this.stream.setTrack(t);
    this.startedAt = this.now();
    this.tick();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  status(): SourceStatus {
    return { kind: "demo", url: "demo", state: this.timer ? "running" : "stopped", counters: { loops: this.loop } };
  }

  /** Pushes every unit whose time has come, then sleeps until the next one. */
  private tick(): void {
    const elapsed = (this.now() - this.startedAt) / 1000;
    const units = this.clip.units;
    for (;;) {
      const au = units[this.index];
      const at = au.dts / au.track.clockRate - this.clip.start + this.loop * this.clip.span;
      if (at > elapsed) {
        const sleep = Math.min(MAX_SLEEP_MS, (at - elapsed) * 1000);
        this.timer = setTimeout(() => this.tick(), sleep);
        return;
      }
      const shift = Math.round(this.loop * this.clip.span * au.track.clockRate);
      this.stream.push({ ...au, pts: au.pts + shift, dts: au.dts + shift });
      if (++this.index === units.length) {
        this.index = 0;
        this.loop++;
      }
    }
  }
}
