import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";

/** The system Python: it has PyGObject (gi); a pyenv or venv python first on PATH usually does not. */
export const SYSTEM_PYTHON = process.env.RTSP_CAMERA_PYTHON ?? "/usr/bin/python3";
export const CAMERA_SCRIPT = resolve(import.meta.dir, "../fixtures/rtsp-camera.py");
/** What `.ci/run` installs so the camera runs (Debian bookworm names). */
export const GSTREAMER_APT_PACKAGES = [
  "python3-gi",
  "gir1.2-gstreamer-1.0",
  "gir1.2-gst-plugins-base-1.0",
  "gir1.2-gst-rtsp-server-1.0",
  "gstreamer1.0-plugins-base",
  "gstreamer1.0-plugins-good",
  "gstreamer1.0-plugins-bad",
  "gstreamer1.0-plugins-ugly",
  "gstreamer1.0-libav",
] as const;

export interface CameraOptions {
  /** Mount point, default `/stream`; with `mounts` it is the prefix of `/stream1` … `/streamN`. */
  path?: string;
  video?: "h264" | "h265" | "none";
  /** `aac` is sent as mpeg4-generic (RFC 3640), `latm` as MP4A-LATM (RFC 6416). */
  audio?: "aac" | "latm" | "pcmu" | "none";
  auth?: "none" | "basic" | "digest";
  user?: string;
  password?: string;
  /** Lower transports the camera accepts in SETUP (`461 Unsupported transport` otherwise). */
  protocols?: "tcp" | "udp" | "any";
  /** `WIDTHxHEIGHT`, default 640x360. */
  size?: string;
  fps?: number;
  /** Keyframe interval in frames, default 2 s worth. */
  keyframe?: number;
  /** Video kbit/s. */
  bitrate?: number;
  /** Serve N mounts from one shared encoder (benchmarks). */
  mounts?: number;
  /** RTSP port; default 0 = the camera binds any free port and reports it. */
  port?: number;
  /** How long to wait for `READY`, default 15 s. */
  readyTimeoutMs?: number;
  /** PEM file holding certificate and key: the camera serves RTSP over TLS and `url` is rtsps://. */
  tlsCert?: string;
  /** Extra environment for the camera process (e.g. `GST_DEBUG`). */
  env?: Record<string, string>;
}

export interface Camera {
  /** `rtsp://127.0.0.1:PORT/PATH` (rtsps:// with `tlsCert`), without credentials (the first mount with `mounts`). */
  readonly url: string;
  /** Every mount's URL: `[url]`, or PATH1 … PATHN with `mounts`. */
  readonly urls: string[];
  readonly port: number;
  /** The current process id (changes on `restart`). */
  readonly pid: number;
  /** `url` (or another of `urls`) with `user:password@`, defaulting to the configured credentials. */
  urlWithCredentials(user?: string, password?: string, url?: string): string;
  /** Everything the camera wrote on stderr (bounded tail). */
  log(): string;
  /** SIGTERM, then SIGKILL after 3 s; resolves when the process is gone. */
  stop(): Promise<void>;
  /** SIGKILL at once, as a camera losing power. */
  kill(): void;
  /** Stops the camera (gracefully, or by SIGKILL with `{ crash: true }`) and starts it again on the same port. */
  restart(options?: { crash?: boolean; downMs?: number }): Promise<void>;
}

const LOG_LIMIT = 64_000;

function argsFor(o: CameraOptions, port: number): string[] {
  const args = ["-u", CAMERA_SCRIPT, "--port", String(port), "--exit-with-parent"];
  const flag = (name: string, value: string | number | undefined) => {
    if (value !== undefined) args.push(`--${name}`, String(value));
  };
  flag("path", o.path);
  flag("video", o.video);
  flag("audio", o.audio);
  flag("auth", o.auth);
  flag("user", o.user);
  flag("password", o.password);
  flag("protocols", o.protocols);
  flag("size", o.size);
  flag("fps", o.fps);
  flag("keyframe", o.keyframe);
  flag("bitrate", o.bitrate);
  flag("mounts", o.mounts);
  flag("tls-cert", o.tlsCert);
  return args;
}

function missingGstreamer(detail: string): Error {
  return new Error(
    `RTSP camera fixture cannot run: ${detail}\n` +
      `Install GStreamer with: apt-get install -y --no-install-recommends ${GSTREAMER_APT_PACKAGES.join(" ")}`,
  );
}

interface Running {
  child: ChildProcess;
  url: string;
  exited: Promise<void>;
  log(): string;
}

/** Spawns the camera and resolves once it printed `READY <url>`; rejects with its stderr otherwise. */
function launch(o: CameraOptions, port: number): Promise<Running> {
  if (!existsSync(SYSTEM_PYTHON)) return Promise.reject(missingGstreamer(`${SYSTEM_PYTHON} does not exist`));
  const timeoutMs = o.readyTimeoutMs ?? 15_000;
  // --exit-with-parent: if this test process dies without stop(), the camera quits by itself.
  const child = spawn(SYSTEM_PYTHON, argsFor(o, port), {
    env: { ...process.env, ...o.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  child.stderr!.on("data", (b: Buffer) => {
    err += b.toString();
    if (err.length > LOG_LIMIT) err = err.slice(-LOG_LIMIT / 2);
  });
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  return new Promise<Running>((ok, fail) => {
    let out = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      fail(new Error(`RTSP camera printed no READY within ${timeoutMs} ms; stderr:\n${err}`));
    }, timeoutMs);
    child.once("error", (e) => {
      clearTimeout(timer);
      fail(missingGstreamer(`${SYSTEM_PYTHON}: ${e.message}`));
    });
    child.stdout!.on("data", (b: Buffer) => {
      out += b.toString();
      const m = /^READY (rtsps?:\/\/\S+)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        ok({ child, url: m[1], exited, log: () => err });
      }
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      const why = `RTSP camera exited (${code ?? signal}) before READY; stderr:\n${err}`;
      // Status 3 = the fixture found gi or a GStreamer element missing (its stderr names the packages).
      fail(code === 3 ? missingGstreamer(why) : new Error(why));
    });
  });
}

function stopProcess(r: Running, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  if (r.child.exitCode !== null || r.child.signalCode !== null) return Promise.resolve();
  r.child.kill(signal);
  const force = setTimeout(() => r.child.kill("SIGKILL"), graceMs);
  return r.exited.then(() => clearTimeout(force));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts a GStreamer RTSP camera (test/fixtures/rtsp-camera.py) on 127.0.0.1.
 * Always `stop()` it (e.g. in `afterAll`); it also quits when this process exits.
 */
export async function startCamera(options: CameraOptions = {}): Promise<Camera> {
  let running = await launch(options, options.port ?? 0);
  const base = new URL(running.url);
  const port = Number(base.port);
  const path = base.pathname;
  const origin = `${base.protocol}//127.0.0.1:${port}`;
  const urls = options.mounts ? Array.from({ length: options.mounts }, (_, k) => `${origin}${path}${k + 1}`) : [running.url];
  // Logs of earlier runs (before a restart) are kept, bounded, for failure messages.
  let history = "";

  const camera: Camera = {
    url: urls[0],
    urls,
    port,
    get pid() {
      return running.child.pid ?? -1;
    },
    urlWithCredentials(user = options.user ?? "user", password = options.password ?? "pass", url = urls[0]) {
      const u = new URL(url);
      u.username = encodeURIComponent(user);
      u.password = encodeURIComponent(password);
      return u.toString();
    },
    log: () => (history + running.log()).slice(-LOG_LIMIT),
    stop: () => stopProcess(running, "SIGTERM", 3000),
    kill() {
      running.child.kill("SIGKILL");
    },
    async restart({ crash = false, downMs = 0 } = {}) {
      await stopProcess(running, crash ? "SIGKILL" : "SIGTERM", 3000);
      history = (history + running.log()).slice(-LOG_LIMIT / 2);
      if (downMs > 0) await sleep(downMs);
      // The old listener is closed, but give the kernel a few tries in case the port is still held.
      for (let attempt = 1; ; attempt++) {
        try {
          running = await launch(options, port);
          return;
        } catch (e) {
          if (attempt >= 10 || !/cannot listen/.test(String(e))) throw e;
          await sleep(200);
        }
      }
    },
  };
  return camera;
}
