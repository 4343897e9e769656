import { afterEach, describe, expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { createSocket, type Socket } from "node:dgram";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { freeUdpPort } from "../helpers/ports.ts";

/** Deno's UDP receiver, run in a Deno child (test/runtime/fixtures/udp-receive-deno.ts), fed from here. */

const ROOT = resolve(import.meta.dir, "../..");
const DENO = join(ROOT, "node_modules/.bin/deno");
const PROBE = "test/runtime/fixtures/udp-receive-deno.ts";
const linux = process.platform === "linux" && (process.arch === "x64" || process.arch === "arm64");

interface Run {
  opened: Promise<{ kind: string; granted: number }>;
  result: Promise<{ bytes: Uint8Array; stats: { datagrams: number; bytes: number }; stderr: string }>;
}

const children: { kill(): boolean }[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill();
});

function receive(flags: string[], options: object, expectBytes: number, env: Record<string, string> = {}): Run {
  const child = spawn(DENO, ["run", ...flags, "--allow-net", "--allow-env", "--allow-read", PROBE, JSON.stringify({ options, expect: expectBytes })], {
    cwd: ROOT,
    env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let out = "";
  let err = "";
  child.stderr.on("data", (b: Buffer) => (err += b.toString()));
  const lines: ((line: string) => void)[] = [];
  child.stdout.on("data", (b: Buffer) => {
    out += b.toString();
    let nl: number;
    while ((nl = out.indexOf("\n")) >= 0) {
      const line = out.slice(0, nl);
      out = out.slice(nl + 1);
      lines.shift()?.(line);
    }
  });
  const next = () =>
    new Promise<string>((ok, fail) => {
      lines.push(ok);
      child.once("exit", (code) => fail(new Error(`deno exited with ${code}:\n${err}`)));
    });
  const opened = next().then((l) => JSON.parse(l) as { kind: string; granted: number });
  const result = opened.then(next).then((l) => {
    const r = JSON.parse(l) as { bytes: string; stats: { datagrams: number; bytes: number } };
    return { bytes: Uint8Array.from(atob(r.bytes), (c) => c.charCodeAt(0)), stats: r.stats, stderr: err };
  });
  return { opened, result };
}

async function sender(address = "127.0.0.1"): Promise<Socket> {
  const s = createSocket("udp4");
  await new Promise<void>((r) => s.bind(0, address, r));
  children.push({ kill: () => (s.close(), true) });
  return s;
}

function send(s: Socket, bytes: Uint8Array, port: number, host: string): Promise<void> {
  return new Promise((ok, fail) => s.send(bytes, port, host, (e) => (e ? fail(e) : ok())));
}

function datagram(i: number, size: number): Uint8Array {
  return Uint8Array.from({ length: size }, (_, k) => (i * 31 + k) & 0xff);
}

const feed = [datagram(0, 1316), datagram(1, 188), datagram(2, 1316)];
const feedBytes = Uint8Array.from(feed.flatMap((d) => [...d]));

describe.skipIf(!linux)("UDP receiver on Deno", () => {
  test("with --allow-ffi: recvmmsg, SO_RCVBUF granted by the kernel, a multicast feed joined on 127.0.0.1 arrives", async () => {
    const port = await freeUdpPort();
    const group = "239.255.71.21";
    const run = receive(["--allow-ffi"], { host: group, port, multicast: { group, interface: "127.0.0.1" }, receiveBuffer: 1 << 20 }, feedBytes.length);
    const opened = await run.opened;
    expect(opened.kind).toBe("recvmmsg");
    // What getsockopt reads back: twice the ask, capped at twice rmem_max (socket(7)); node:dgram on Deno gives 0.
    const rmemMax = Number(readFileSync("/proc/sys/net/core/rmem_max", "utf8"));
    expect(opened.granted).toBe(2 * Math.min(1 << 20, rmemMax));
    const s = await sender();
    s.setMulticastInterface("127.0.0.1");
    for (const d of feed) await send(s, d, port, group);
    const r = await run.result;
    expect(r.bytes).toEqual(feedBytes);
    expect(r.stats).toMatchObject({ datagrams: 3, bytes: feedBytes.length });
    expect(r.stderr).toBe("");
  }, 30_000);

  test("source-specific multicast (IP_ADD_SOURCE_MEMBERSHIP on 127.0.0.1): another source's datagram is not delivered", async () => {
    const port = await freeUdpPort();
    const group = "232.255.71.22";
    const multicast = { group, interface: "127.0.0.1", source: "127.0.0.1" };
    const run = receive(["--allow-ffi"], { host: group, port, multicast, receiveBuffer: undefined }, feed[0]!.length);
    expect(await run.opened).toEqual({ kind: "recvmmsg", granted: 0 });
    // 127.0.0.2 is on lo too: without the source filter its datagram would arrive first.
    const other = await sender("127.0.0.2");
    other.setMulticastInterface("127.0.0.2");
    await send(other, datagram(9, 1316), port, group);
    const s = await sender();
    s.setMulticastInterface("127.0.0.1");
    await send(s, feed[0]!, port, group);
    const r = await run.result;
    expect(r.bytes).toEqual(feed[0]!);
    expect(r.stats.datagrams).toBe(1);
  }, 30_000);

  test("without --allow-ffi: node:dgram, said once in the log, datagrams still arrive", async () => {
    const port = await freeUdpPort();
    const run = receive([], { host: "127.0.0.1", port, receiveBuffer: 1 << 20 }, feedBytes.length);
    const opened = await run.opened;
    expect(opened).toEqual({ kind: "dgram", granted: 0 });
    const s = await sender();
    for (const d of feed) await send(s, d, port, "127.0.0.1");
    const r = await run.result;
    expect(r.bytes).toEqual(feedBytes);
    expect(r.stderr.match(/without --allow-ffi: UDP sources use node:dgram/g)?.length).toBe(1);
  }, 30_000);

  test("UDP_RECVMMSG=0: node:dgram even with --allow-ffi, no warning", async () => {
    const port = await freeUdpPort();
    const run = receive(["--allow-ffi"], { host: "127.0.0.1", port, receiveBuffer: 1 << 20 }, feedBytes.length, { UDP_RECVMMSG: "0" });
    expect((await run.opened).kind).toBe("dgram");
    const s = await sender();
    for (const d of feed) await send(s, d, port, "127.0.0.1");
    const r = await run.result;
    expect(r.bytes).toEqual(feedBytes);
    expect(r.stderr).toBe("");
  }, 30_000);
});
