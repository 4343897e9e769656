import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createFile, Log, MP4BoxBuffer, type ISOFile, type Movie, type Sample } from "mp4box";
import type { AccessUnit } from "../../../src/core/access-unit.ts";
import type { Track } from "../../../src/core/track.ts";
import { TsAccessUnitReader } from "../../../src/container/mpegts/access-unit-reader.ts";
import { FragmentWriter } from "../../../src/container/fmp4/fragment-writer.ts";
import { FFMPEG } from "../../helpers/peers.ts";

export interface ParsedMp4 {
  readonly info: Movie;
  readonly file: ISOFile;
  /** Every sample per track id, as mp4box computed them (dts, cts, duration, is_sync, data). */
  readonly samples: Map<number, Sample[]>;
  /** What mp4box warned about or called an error while parsing; a valid file has none. */
  readonly complaints: string[];
}

/** Parses a whole fMP4 (init + fragments) with gpac's mp4box.js, an independent parser. */
export function parseMp4(bytes: Uint8Array): ParsedMp4 {
  const complaints: string[] = [];
  const { warn, error } = Log;
  Log.warn = (module: string, msg?: string) => void complaints.push(`${module}: ${msg}`);
  Log.error = (module: string, msg?: string) => void complaints.push(`${module}: ${msg}`);
  try {
    const file = createFile(true);
    let info: Movie | undefined;
    const samples = new Map<number, Sample[]>();
    file.onError = (module: string, msg: string) => void complaints.push(`${module}: ${msg}`);
    file.onReady = (movie: Movie) => {
      info = movie;
      for (const t of movie.tracks) file.setExtractionOptions(t.id, null, { nbSamples: 1e6 });
      file.start();
    };
    file.onSamples = (id: number, _user: unknown, list: Sample[]) => {
      const mine = samples.get(id) ?? [];
      mine.push(...list);
      samples.set(id, mine);
    };
    file.appendBuffer(MP4BoxBuffer.fromArrayBuffer(bytes.slice().buffer, 0));
    file.flush();
    if (!info) throw new Error(`mp4box found no moov (${complaints.join("; ")})`);
    return { info, file, samples, complaints };
  } finally {
    Log.warn = warn;
    Log.error = error;
  }
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export interface Clip {
  readonly tracks: Track[];
  /** Units in decode order across tracks (by DTS in seconds). */
  readonly units: AccessUnit[];
}

/** Every access unit of an MPEG-TS file, read with our demuxer. */
export function readTs(bytes: Uint8Array): Clip {
  const reader = new TsAccessUnitReader();
  const units = [...reader.push(bytes), ...reader.flush()];
  units.sort((a, b) => a.dts / a.track.clockRate - b.dts / b.track.clockRate);
  return { tracks: reader.tracks, units };
}

/** The demo picture with B-frames (test/fixtures/demo-bframes.mpegts): composition offsets are not all zero. */
export const DEMO_TS = new Uint8Array(readFileSync(new URL("../../fixtures/demo-bframes.mpegts", import.meta.url)));

/**
 * Init segment and fragments cut before every video keyframe, the way the
 * HLS segmenter cuts; the keyframe that closes a fragment is passed as `next`.
 */
export function fragmentClip(clip: Clip): { init: Uint8Array; fragments: Uint8Array[]; writer: FragmentWriter } {
  const writer = new FragmentWriter(clip.tracks);
  const fragments: Uint8Array[] = [];
  let open: AccessUnit[] = [];
  for (const au of clip.units) {
    if (au.track.kind === "video" && au.key && open.some((u) => u.track.kind === "video")) {
      fragments.push(writer.fragment(open, [au]));
      open = [];
    }
    open.push(au);
  }
  if (open.length > 0) fragments.push(writer.fragment(open));
  return { init: writer.initSegment(), fragments, writer };
}

/** Encodes a short test clip with ffmpeg into MPEG-TS bytes (video with B-frames, AAC audio). */
export function encodeTs(videoArgs: readonly string[], seconds = 2): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), "fmp4-src-"));
  try {
    const file = join(dir, "clip.ts");
    const args = ["-v", "error", "-f", "lavfi", "-i", `testsrc2=size=320x240:rate=25:duration=${seconds}`, "-f", "lavfi", "-i", `sine=frequency=440:sample_rate=44100:duration=${seconds}`];
    args.push(...videoArgs, "-c:a", "aac", "-ac", "2", "-f", "mpegts", file);
    const r = spawnSync(FFMPEG, args, { encoding: "utf8", timeout: 60_000 });
    if (r.status !== 0) throw new Error(`ffmpeg failed: ${r.stderr}`);
    return new Uint8Array(readFileSync(file));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
