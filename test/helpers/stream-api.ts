import type { StreamInfo } from "../../src/stream-info.ts";

export async function streamInfo(baseUrl: string, path: string): Promise<StreamInfo | undefined> {
  const { streams } = (await (await fetch(`${baseUrl}/v1/streams`)).json()) as { streams: StreamInfo[] };
  return streams.find((s) => s.path === path);
}

/** Polls until `check` passes or `timeoutMs` runs out; returns the last info. */
export async function waitForStream(baseUrl: string, path: string, check: (s: StreamInfo) => boolean, timeoutMs: number): Promise<StreamInfo | undefined> {
  const until = performance.now() + timeoutMs;
  let info: StreamInfo | undefined;
  while (performance.now() < until) {
    info = await streamInfo(baseUrl, path);
    if (info && check(info)) return info;
    await new Promise((r) => setTimeout(r, 250));
  }
  return info;
}
