import { type AccessUnit, dtsSeconds } from "../core/access-unit.ts";
import type { RingReader } from "../core/reader.ts";
import type { Ring } from "../core/ring.ts";

/** Where a viewer's units go; the pump takes the next unit only when this resolves. */
export type UnitSink = (au: AccessUnit) => void | Promise<void>;

/**
 * How far (seconds of media) a viewer may fall behind the newest unit
 * beyond the backlog it started with. A viewer this late is not watching
 * live any more: we drop its frames up to the next keyframe instead of
 * queueing, so its cost stays one cursor. One second is a few frames of
 * jitter buffer plus scheduling hiccups, far below a GOP.
 */
export const MAX_EXTRA_LAG_SECONDS = 1;
/** Units sent back to back (the start-up GOP) before giving other work a turn. */
const BURST_UNITS = 32;

/**
 * Moves one viewer's units from its ring cursor to its sink. The queue of a
 * viewer is its cursor: bounded by the ring and by MAX_EXTRA_LAG_SECONDS,
 * never by memory of its own; a late viewer drops whole frames up to a
 * keyframe, counted, and nobody else notices.
 */
export class ViewerPump {
  framesSent = 0;
  framesDropped = 0;
  private waitingForKey = false;
  private allowedLag: number | undefined;
  private stopped = false;

  constructor(
    private readonly reader: RingReader,
    private readonly ring: Ring,
    /** Track ids the viewer receives; other tracks' units are skipped, not counted as drops. */
    private readonly tracks: ReadonlySet<number>,
    /** A keyframe of this track restarts a late viewer (video when sent, else any unit). */
    private readonly restartOn: (au: AccessUnit) => boolean,
    private readonly sink: UnitSink,
  ) {}

  stop(): void {
    this.stopped = true;
  }

  /** Runs until stopped or the reader closes; resolves with why. */
  async run(): Promise<string> {
    let burst = 0;
    while (!this.stopped && !this.reader.closed) {
      const au = this.reader.read();
      if (!au) {
        burst = 0;
        await this.reader.wait();
        continue;
      }
      if (!this.tracks.has(au.track.id)) continue;
      if (this.late(au)) {
        this.framesDropped++;
        continue;
      }
      await this.sink(au);
      this.framesSent++;
      if (++burst >= BURST_UNITS) {
        burst = 0;
        await new Promise((r) => setTimeout(r, 0));
      }
    }
    return this.reader.closed ? (this.reader.closeReason ?? "reader closed") : "stopped";
  }

  /** Seconds of media between this unit and the newest one in the ring. */
  private behind(au: AccessUnit): number {
    const newest = this.ring.at(this.ring.tail - 1);
    return newest ? Math.max(0, dtsSeconds(newest) - dtsSeconds(au)) : 0;
  }

  private late(au: AccessUnit): boolean {
    const behind = this.behind(au);
    // The first unit is the newest keyframe: the backlog behind it is sent at once, and is not lateness.
    this.allowedLag ??= behind + MAX_EXTRA_LAG_SECONDS;
    if (!this.waitingForKey && behind > this.allowedLag) this.waitingForKey = true;
    if (!this.waitingForKey) return false;
    if (!this.restartOn(au) || behind > MAX_EXTRA_LAG_SECONDS) return true;
    this.waitingForKey = false;
    this.allowedLag = MAX_EXTRA_LAG_SECONDS + behind;
    return false;
  }
}
