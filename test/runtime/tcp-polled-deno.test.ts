import { afterEach, describe, expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { createServer, type Server } from "node:net";
import { join, resolve } from "node:path";
import { freeTcpPort } from "../helpers/ports.ts";

/** Deno's connectTcp, run in a Deno child (test/runtime/fixtures/tcp-connect-deno.ts) against a peer here. */

const ROOT = resolve(import.meta.dir, "../..");
const DENO = join(ROOT, "node_modules/.bin/deno");
const PROBE = "test/runtime/fixtures/tcp-connect-deno.ts";
const linux = process.platform === "linux" && (process.arch === "x64" || process.arch === "arm64");
const SIZE = 300_000;

let server: Server | undefined;
afterEach(() => {
  server?.close();
  server = undefined;
});

/** A peer that answers "ping" with SIZE bytes of a pattern, then hangs up. */
function peer(): Promise<number> {
  return new Promise((ok) => {
    server = createServer((s) => {
      s.once("data", () => s.end(Uint8Array.from({ length: SIZE }, (_, i) => (i * 7) & 0xff)));
      s.on("error", () => {});
    });
    server.listen(0, "127.0.0.1", () => ok((server!.address() as { port: number }).port));
  });
}

function run(flags: string[], args: object): Promise<{ out: { polled: number[]; received: string[]; closes: (string | null)[]; refused: string }; stderr: string }> {
  const child = spawn(DENO, ["run", ...flags, "--allow-net", "--allow-env", "--allow-read", PROBE, JSON.stringify(args)], {
    cwd: ROOT,
    env: { ...process.env, DENO_NO_UPDATE_CHECK: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (b: Buffer) => (out += b.toString()));
  child.stderr.on("data", (b: Buffer) => (err += b.toString()));
  const timer = setTimeout(() => child.kill(), 30_000);
  return new Promise((ok, fail) =>
    child.on("exit", (code) => {
      clearTimeout(timer);
      if (code !== 0) return fail(new Error(`deno exited with ${code}:\n${err}`));
      ok({ out: JSON.parse(out), stderr: err });
    }),
  );
}

let expected = 0;
for (let i = 0; i < SIZE; i++) expected = (expected * 31 + ((i * 7) & 0xff)) >>> 0;

describe.skipIf(!linux)("TCP client on Deno", () => {
  test("with --allow-ffi: polled through Deno's FFI, every byte, one clean close, a refusal in the system's words", async () => {
    const port = await peer();
    const refused = await freeTcpPort();
    const { out, stderr } = await run(["--allow-ffi"], { port, refused });
    expect(out.polled).toEqual([1, 1]);
    expect(out.received).toEqual([`${SIZE}:${expected}`, `${SIZE}:${expected}`]);
    expect(out.closes).toEqual([null, null]);
    expect(out.refused).toBe(`cannot connect to 127.0.0.1:${refused}: Connection refused (errno 111)`);
    expect(stderr).toBe("");
  }, 40_000);

  test("without --allow-ffi: node:net, said once", async () => {
    const port = await peer();
    const refused = await freeTcpPort();
    const { out, stderr } = await run([], { port, refused });
    expect(out.polled).toEqual([0, 0]);
    expect(out.received).toEqual([`${SIZE}:${expected}`, `${SIZE}:${expected}`]);
    expect(out.closes).toEqual([null, null]);
    expect(out.refused).toContain("ECONNREFUSED");
    expect(stderr.match(/Deno runs without --allow-ffi: RTSP\/TCP connections use node:net/g)?.length).toBe(1);
  }, 40_000);
});
