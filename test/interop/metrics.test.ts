import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type ServerProcess, startServerProcess } from "../helpers/server-process.ts";

/** Families of a Prometheus text exposition (format 0.0.4), checked line by line: HELP and TYPE before samples, well-formed samples. */
function parseExposition(text: string): Map<string, { type: string; samples: { name: string; labels: Record<string, string>; value: number }[] }> {
  const families = new Map<string, { type: string; samples: { name: string; labels: Record<string, string>; value: number }[] }>();
  let current: string | undefined;
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const help = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .+$/.exec(line);
    if (help) continue;
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      current = type[1]!;
      expect(families.has(current)).toBe(false);
      families.set(current, { type: type[2]!, samples: [] });
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*)\})? (-?[0-9.e+]+|NaN|\+Inf)$/.exec(line);
    if (!sample) throw new Error(`not a sample line: ${line}`);
    expect(current).toBeDefined();
    expect(sample[1]!.startsWith(current!)).toBe(true);
    const labels = Object.fromEntries([...(sample[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
    families.get(current!)!.samples.push({ name: sample[1]!, labels, value: Number(sample[3]) });
  }
  return families;
}

describe("/metrics", () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServerProcess("bun", {});
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  test("well-formed; HLS requests counted with a response-time histogram; streams, readers and memory", async () => {
    const playlist = await (await fetch(`${server.url}/demo/index.m3u8`)).text();
    const segment = playlist.split("\n").find((l) => l.endsWith(".ts"))!;
    await (await fetch(`${server.url}/demo/${segment}`)).arrayBuffer();
    await fetch(`${server.url}/demo/index.m3u8`);
    await fetch(`${server.url}/nope/index.m3u8`);
    const families = parseExposition(await (await fetch(`${server.url}/metrics`)).text());

    const requests = families.get("mediaserver_hls_requests_total")!;
    expect(requests.type).toBe("counter");
    const count = (kind: string) => requests.samples.find((s) => s.labels.path === "demo" && s.labels.kind === kind)?.value;
    expect(count("playlist")).toBe(2);
    expect(count("segment")).toBe(1);
    expect(requests.samples.some((s) => s.labels.path === "nope")).toBe(false);

    const latency = families.get("mediaserver_hls_request_seconds")!;
    expect(latency.type).toBe("histogram");
    const series = latency.samples.filter((s) => s.labels.kind === "playlist");
    const buckets = series.filter((s) => s.name.endsWith("_bucket")).map((s) => s.value);
    for (let i = 1; i < buckets.length; i++) expect(buckets[i]!).toBeGreaterThanOrEqual(buckets[i - 1]!);
    expect(buckets.at(-1)).toBe(2);
    expect(series.find((s) => s.name.endsWith("_count"))?.value).toBe(2);

    expect(families.get("mediaserver_stream_bytes_in_total")!.samples.find((s) => s.labels.path === "demo")!.value).toBeGreaterThan(0);
    expect(families.get("mediaserver_stream_readers")!.samples.find((s) => s.labels.path === "demo" && s.labels.protocol === "hls")?.value).toBe(1);
    expect(families.get("process_resident_memory_bytes")!.samples[0]!.value).toBeGreaterThan(10e6);
  }, 30_000);
});
