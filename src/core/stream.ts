import { type AccessUnit, accessUnitSize } from "./access-unit.ts";
import { RingReader, type SlowReaderPolicy } from "./reader.ts";
import { Ring, type RingLimits } from "./ring.ts";
import type { Track } from "./track.ts";
import { DropReport } from "./drop-report.ts";
import { logger } from "./log.ts";
import type { StatusSource } from "../ingest/source-status.ts";

export interface StreamOptions extends RingLimits {
  readonly slowReader: SlowReaderPolicy;
}

export interface StreamCounters {
  bytesIn: number;
  unitsIn: number;
  /** Bytes sent to viewers by every output (HLS responses, ...). */
  bytesOut: number;
  /** Units skipped by readers that fell behind, closed readers included. */
  unitsDropped: number;
}

const log = logger("stream");

/**
 * A path: its current tracks, the ring one publisher writes, and the
 * readers. Track changes travel inside the units (AccessUnit.track), so a
 * reader sees them in order with the media.
 */
export class Stream {
  readonly ring: Ring;
  private readonly trackList: Track[] = [];
  private readonly readerSet = new Set<RingReader>();
  /** Told when the number of readers changes (on-demand sources); one per subsystem. */
  private readonly readerListeners = new Set<(count: number) => void>();
  readonly counters: StreamCounters = { bytesIn: 0, unitsIn: 0, bytesOut: 0, unitsDropped: 0 };
  readonly createdAt = Date.now();
  /** Input bitrate over the last full second (bits/s); see bitrate. */
  private lastBitrate = 0;
  private windowStart = Date.now();
  private windowBytes = 0;
  /** Wall clock (ms) and decode time (s) of the newest unit: one media-time-to-wall-clock mapping for every track (RTCP sender reports). */
  private newestWall = 0;
  private newestSeconds = 0;
  /** Rate-limited warnings about readers that drop frames (ring skips, full send queues). */
  readonly drops: DropReport;
  /** Who writes this stream ("demo", an address, ...). */
  publisher: string | undefined;
  /** The source feeding this stream, for its state and counters. */
  source: StatusSource | undefined;

  constructor(
    readonly path: string,
    private readonly options: StreamOptions,
  ) {
    this.ring = new Ring(options);
    this.drops = new DropReport(path, log);
  }

  get tracks(): readonly Track[] {
    return this.trackList;
  }

  get readers(): ReadonlySet<RingReader> {
    return this.readerSet;
  }

  get hasVideo(): boolean {
    return this.trackList.some((t) => t.kind === "video");
  }

  /** Declares or updates a track ahead of its units (e.g. from a PMT or an SDP). */
  setTrack(track: Track): void {
    this.trackList[track.id] = track;
  }

  push(au: AccessUnit): void {
    const known = this.trackList[au.track.id];
    if (known !== au.track) this.trackList[au.track.id] = au.track;
    const size = accessUnitSize(au);
    this.counters.bytesIn += size;
    const now = Date.now();
    this.measure(size, now);
    this.counters.unitsIn++;
    this.newestWall = now;
    this.newestSeconds = au.dts / au.track.clockRate;
    const randomAccess = au.key && (au.track.kind === "video" || !this.hasVideo);
    this.ring.push(au, randomAccess);
  }

  /** The stream's media time (seconds) now: the newest unit's decode time plus the wall time since it came. */
  mediaNow(): number {
    return this.newestSeconds + (Date.now() - this.newestWall) / 1000;
  }

  /** Bits per second coming in, measured over one-second windows; 0 when nothing came for two. */
  get bitrate(): number {
    return Date.now() - this.windowStart > 2000 ? 0 : this.lastBitrate;
  }

  private measure(bytes: number, now: number): void {
    const elapsed = now - this.windowStart;
    if (elapsed >= 1000) {
      this.lastBitrate = elapsed > 2000 ? 0 : Math.round((this.windowBytes * 8000) / elapsed);
      this.windowStart = now;
      this.windowBytes = 0;
    }
    this.windowBytes += bytes;
  }

  addReader(protocol: string, remote?: string): RingReader {
    const label = remote ? `${protocol} ${remote}` : protocol;
    const reader = new RingReader(this.ring, protocol, this.options.slowReader, remote, (n) => this.drops.note(label, n));
    this.readerSet.add(reader);
    reader.addCloseListener((r) => {
      this.counters.unitsDropped += r.dropped;
      this.readerSet.delete(r);
      for (const fn of this.readerListeners) fn(this.readerSet.size);
    });
    for (const fn of this.readerListeners) fn(this.readerSet.size);
    return reader;
  }

  onReadersChanged(fn: (count: number) => void): void {
    this.readerListeners.add(fn);
  }

  /** Ends the stream: every reader is closed. */
  close(reason: string): void {
    for (const reader of [...this.readerSet]) reader.close(reason);
  }

  /** Units dropped so far, live readers included. */
  get unitsDropped(): number {
    let n = this.counters.unitsDropped;
    for (const r of this.readerSet) n += r.dropped;
    return n;
  }
}
