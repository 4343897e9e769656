/** What an HLS request fetched; the label of its metrics. */
export type HlsRequestKind = "multivariant" | "playlist" | "blocking_playlist" | "segment" | "part" | "init";

/** Seconds to respond (Prometheus' default buckets, which span a cached segment to a long-poll). */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

/** The kind of an HLS request from its file name and query (names as the muxer gives them). */
export function hlsRequestKind(file: string, query: URLSearchParams): HlsRequestKind | undefined {
  if (file === "main.m3u8") return "multivariant";
  if (file === "index.m3u8") return query.has("_HLS_msn") ? "blocking_playlist" : "playlist";
  if (/_p\d+\.m4s$/.test(file)) return "part";
  if (/_init\d+\.mp4$/.test(file)) return "init";
  if (/\.(ts|m4s)$/.test(file)) return "segment";
  return undefined;
}

interface Histogram {
  count: number;
  sum: number;
  /** Cumulative counts per LATENCY_BUCKETS entry. */
  readonly buckets: number[];
}

/**
 * Answered HLS requests: counts by path and kind, and response time by kind
 * (one histogram per kind keeps the series few however many paths there are).
 * Only successful answers are counted, so requests for made-up paths cannot
 * grow the label set.
 */
export class HlsRequestStats {
  private readonly counts = new Map<string, Map<HlsRequestKind, number>>();
  private readonly latency = new Map<HlsRequestKind, Histogram>();

  record(path: string, kind: HlsRequestKind, seconds: number): void {
    let byKind = this.counts.get(path);
    if (!byKind) this.counts.set(path, (byKind = new Map()));
    byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
    let h = this.latency.get(kind);
    if (!h) this.latency.set(kind, (h = { count: 0, sum: 0, buckets: LATENCY_BUCKETS.map(() => 0) }));
    h.count++;
    h.sum += seconds;
    LATENCY_BUCKETS.forEach((le, i) => {
      if (seconds <= le) h.buckets[i]!++;
    });
  }

  /** A path's counts go when its stream goes. */
  forget(path: string): void {
    this.counts.delete(path);
  }

  countEntries(): { path: string; kind: HlsRequestKind; count: number }[] {
    return [...this.counts].flatMap(([path, byKind]) => [...byKind].map(([kind, count]) => ({ path, kind, count })));
  }

  latencyEntries(): { kind: HlsRequestKind; histogram: Readonly<Histogram> }[] {
    return [...this.latency].map(([kind, histogram]) => ({ kind, histogram }));
  }
}
