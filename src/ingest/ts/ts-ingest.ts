import type { Stream } from "../../core/stream.ts";
import { TsAccessUnitReader } from "../../container/mpegts/access-unit-reader.ts";
import { UnitArena } from "../../core/unit-arena.ts";

/**
 * MPEG-TS bytes into a stream: demux, turn PES into access units, publish.
 * Shared by the UDP, HTTP push and HTTP pull sources; one per publishing
 * session, so a new session starts with a clean demuxer. PES bytes go to a
 * UnitArena, so frames reuse memory the ring has let go of.
 */
export class TsIngest {
  private readonly reader: TsAccessUnitReader;
  private readonly arena = new UnitArena();
  private declared = 0;

  constructor(
    private readonly stream: Stream,
    program?: number,
  ) {
    this.reader = new TsAccessUnitReader({ program, arena: this.arena });
  }

  push(bytes: Uint8Array): void {
    const units = this.reader.push(bytes);
    this.declareTracks();
    for (const au of units) this.stream.push(au);
    this.arena.settle();
  }

  /** End of input: what the demuxer still holds. */
  end(): void {
    for (const au of this.reader.flush()) this.stream.push(au);
    this.arena.settle();
  }

  /** Demuxer and reader counters, flat, for the API and metrics. */
  counters(): Record<string, number> {
    return { ...this.reader.demuxer.stats, ...this.reader.stats };
  }

  /** Tracks from the PMT reach the stream before their first unit. */
  private declareTracks(): void {
    if (this.reader.trackCount === this.declared) return;
    const tracks = this.reader.tracks;
    for (const t of tracks) this.stream.setTrack(t);
    this.declared = tracks.length;
  }
}
