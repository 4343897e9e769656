import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export type RuntimeName = "bun" | "deno";

const ROOT = resolve(import.meta.dir, "../..");
const BIN = join(ROOT, "node_modules/.bin");

export interface ServerProcess {
  readonly url: string;
  /** rtsp://127.0.0.1:PORT of the RTSP server, when it runs. */
  readonly rtspUrl: string | undefined;
  readonly pid: number;
  /** The config file the server was started with (JSON). */
  readonly configPath: string;
  /** Resident set size of the server process, from /proc (Linux). */
  rss(): number;
  log(): string;
  stop(): Promise<void>;
}

/** Starts src/main.ts on `runtime` with `config` (YAML/JSON object) on an ephemeral loopback port. */
export async function startServerProcess(runtime: RuntimeName, config: object, timeoutMs = 30_000): Promise<ServerProcess> {
  const dir = mkdtempSync(join(tmpdir(), "ms-test-"));
  const configPath = join(dir, "config.json");
  // Ephemeral loopback ports for everything, so test servers never collide with each other or a running server.
  writeFileSync(configPath, JSON.stringify({ http: { port: 0, host: "127.0.0.1" }, rtsp: { port: 0, host: "127.0.0.1", rtpPort: 0 }, ...config }));
  // As `npm start` and `deno task serve` run it (package.json, deno.json).
  const args =
    runtime === "bun"
      ? ["src/main.ts", "--config", configPath]
      : ["run", "--allow-net", "--allow-ffi", "--allow-read", "--allow-env", "--allow-sys", "--allow-write", "--v8-flags=--heap-growing-percent=50", "src/main.ts", "--config", configPath];
  const child: ChildProcess = spawn(join(BIN, runtime), args, {
    cwd: ROOT,
    env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", PORT: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const url = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`server did not start within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = (b: Buffer) => {
      output += b.toString();
      // Keep only the tail: a long test must not grow this string without bound.
      if (output.length > 200_000) output = output.slice(-100_000);
      const m = /listening on (http:\/\/\S+?)\/?\s/.exec(output);
      if (m) {
        clearTimeout(timer);
        ok(m[1].replace("localhost", "127.0.0.1"));
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.on("exit", (code) => {
      clearTimeout(timer);
      fail(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  return {
    url,
    get rtspUrl() {
      const m = /RTSP listening on (rtsp:\/\/\S+?)\/? /.exec(output);
      return m ? m[1].replace("localhost", "127.0.0.1") : undefined;
    },
    pid: child.pid!,
    configPath,
    rss() {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
      return m ? Number(m[1]) * 1024 : 0;
    },
    log: () => output,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.once("exit", () => done());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 5000).unref();
      }),
  };
}

/** Runs a command, resolving with its exit code and output (bounded by `timeoutMs`). */
export function run(cmd: string, args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, DENO_NO_UPDATE_CHECK: "1" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b) => (stdout += b));
    child.stderr.on("data", (b) => (stderr += b));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}
