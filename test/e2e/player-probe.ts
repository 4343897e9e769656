import type { Page } from "playwright-core";

/** hls.js (the UI page's player) or the browser's own HLS (the page's `video.src = url` fallback). */
export type Player = "hls.js" | "native";

/** What one playback window measured in the page. */
export interface PlaybackSample {
  /** Media seconds played per wall-clock second over the window. */
  readonly rate: number;
  readonly wallSeconds: number;
  readonly width: number;
  readonly height: number;
  /** Frames handed to the compositor (requestVideoFrameCallback) and decoded (getVideoPlaybackQuality). */
  readonly framesPresented: number;
  readonly framesDecoded: number;
  readonly framesDropped: number;
  /** Luma standard deviation of the picture drawn to a canvas, and mean change between first and last. */
  readonly pictureStdDev: number;
  readonly pictureChange: number;
  /** Date.now() − hls.playingDate (ms), sampled through the window; empty without EXT-X-PROGRAM-DATE-TIME. */
  readonly latencyMs: readonly number[];
  /** hls.js's own estimate of the distance to the live edge of the playlist (s), at the end. */
  readonly hlsLatency: number | null;
  /** What the page asked of hls.js: its low-latency mode and, if set, how many target durations to hold back. */
  readonly hlsConfig: { lowLatencyMode: boolean; liveSyncDurationCount?: number } | null;
  readonly hlsErrors: readonly { fatal: boolean; type: string; details: string }[];
  readonly mediaError: number | null;
  readonly waiting: number;
  readonly src: string;
  readonly playlistUrl: string;
}

/**
 * Runs before the page's scripts. hls.js: wraps the Hls class the page loads from /assets/hls.min.js
 * so every instance's errors are recorded from its first event. native: drops the Hls global, so the
 * UI page takes its `video.src = url` branch.
 */
export async function installProbe(page: Page, player: Player): Promise<void> {
  await page.addInitScript((mode: Player) => {
    interface HlsLike {
      on(event: string, cb: (event: string, data: { fatal: boolean; type: string; details: string }) => void): void;
    }
    type HlsClass = (new (config?: object) => HlsLike) & { Events: { ERROR: string } };
    const w = window as unknown as { __probe: { hls: HlsLike[]; errors: unknown[] }; Hls: HlsClass | undefined };
    w.__probe = { hls: [], errors: [] };
    let wrapped: HlsClass | undefined;
    Object.defineProperty(window, "Hls", {
      configurable: true,
      get: () => wrapped,
      set: (Hls: HlsClass) => {
        if (mode === "native") return;
        wrapped = class extends Hls {
          constructor(config?: object) {
            super(config);
            w.__probe.hls.push(this);
            this.on(Hls.Events.ERROR, (_e, d) => w.__probe.errors.push({ fatal: d.fatal, type: d.type, details: d.details }));
          }
        };
      },
    });
  }, player);
}

/** Waits until the page's video plays, then measures `seconds` of playback. */
export async function measurePlayback(page: Page, seconds: number, startTimeoutMs: number): Promise<PlaybackSample> {
  await page.waitForFunction(
    () => {
      const v = document.querySelector("video");
      return v !== null && !v.paused && v.readyState >= 3 && v.currentTime > 0;
    },
    null,
    { timeout: startTimeoutMs, polling: 100 },
  );
  return page.evaluate(async (seconds: number) => {
    interface HlsInstance {
      playingDate: Date | null;
      latency: number;
      config: { lowLatencyMode: boolean };
      userConfig: { liveSyncDurationCount?: number };
    }
    const probe = (window as unknown as { __probe: { hls: HlsInstance[]; errors: PlaybackSample["hlsErrors"][number][] } }).__probe;
    const video = document.querySelector("video")!;
    const hls = probe.hls.at(-1);
    const canvas = document.createElement("canvas");
    canvas.width = 64;
    canvas.height = 36;
    const ctx = canvas.getContext("2d", { willReadFrequently: true })!;
    const luma = (): Float64Array => {
      ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
      const px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      const y = new Float64Array(px.length / 4);
      for (let i = 0; i < y.length; i++) y[i] = 0.299 * px[4 * i] + 0.587 * px[4 * i + 1] + 0.114 * px[4 * i + 2];
      return y;
    };
    let presented = 0;
    const onFrame = () => {
      presented++;
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
    let waiting = 0;
    video.addEventListener("waiting", () => waiting++);
    const latencyMs: number[] = [];
    const sampleLatency = () => {
      const at = hls?.playingDate;
      if (at) latencyMs.push(Date.now() - at.getTime());
    };

    const first = luma();
    const q0 = video.getVideoPlaybackQuality();
    const t0 = performance.now();
    const c0 = video.currentTime;
    const timer = setInterval(sampleLatency, 500);
    await new Promise((done) => setTimeout(done, seconds * 1000));
    clearInterval(timer);
    sampleLatency();
    const wallSeconds = (performance.now() - t0) / 1000;
    const rate = (video.currentTime - c0) / wallSeconds;
    const q1 = video.getVideoPlaybackQuality();
    const last = luma();

    let mean = 0;
    for (const v of last) mean += v / last.length;
    let variance = 0;
    let change = 0;
    for (let i = 0; i < last.length; i++) {
      variance += (last[i] - mean) ** 2 / last.length;
      change += Math.abs(last[i] - first[i]) / last.length;
    }
    return {
      rate,
      wallSeconds,
      width: video.videoWidth,
      height: video.videoHeight,
      framesPresented: presented,
      framesDecoded: q1.totalVideoFrames - q0.totalVideoFrames,
      framesDropped: q1.droppedVideoFrames - q0.droppedVideoFrames,
      pictureStdDev: Math.sqrt(variance),
      pictureChange: change,
      latencyMs,
      hlsLatency: hls ? hls.latency : null,
      hlsConfig: hls ? { lowLatencyMode: hls.config.lowLatencyMode, liveSyncDurationCount: hls.userConfig.liveSyncDurationCount } : null,
      hlsErrors: probe.errors,
      mediaError: video.error?.code ?? null,
      waiting,
      src: video.currentSrc,
      playlistUrl: document.getElementById("url")?.textContent ?? "",
    };
  }, seconds);
}
