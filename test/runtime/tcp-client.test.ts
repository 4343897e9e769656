import { describe, expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { connect, createServer } from "node:net";
import { join, resolve } from "node:path";
import { connectTcp, type TcpHandlers } from "../../src/runtime/tcp.ts";
import { connectTcpBun } from "../../src/runtime/tcp-bun.ts";
import { tcpSocketFd } from "../../src/runtime/tcp-low-water.ts";
import { libc } from "../../src/runtime/udp-libc.ts";
import { getIntOption } from "../../src/runtime/udp-linux.ts";
import { type Observations, observeAll } from "./fixtures/tcp-contract.ts";

const ROOT = resolve(import.meta.dir, "../..");
const DENO = join(ROOT, "node_modules/.bin/deno");

/** The contract scenarios on Deno.connect, in a Deno child (fixtures/tcp-client-deno.ts). */
function observeOnDeno(): Promise<Observations> {
  const child = spawn(DENO, ["run", "--allow-net", "--allow-read", "--allow-ffi", "--allow-env", "test/runtime/fixtures/tcp-client-deno.ts"], {
    cwd: ROOT,
    env: { ...process.env, DENO_NO_UPDATE_CHECK: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (b: Buffer) => (out += b.toString()));
  child.stderr.on("data", (b: Buffer) => (err += b.toString()));
  const timer = setTimeout(() => child.kill(), 50_000);
  return new Promise((ok, fail) =>
    child.once("exit", (code) => {
      clearTimeout(timer);
      if (code === 0) ok(JSON.parse(out) as Observations);
      else fail(new Error(`deno exited with ${code}:\n${err}`));
    }),
  );
}

/** Runs `observe` at the first call only: the scenarios run once per client, each test checks one of them. */
const once = (observe: () => Promise<Observations>) => {
  let all: Promise<Observations> | undefined;
  return () => (all ??= observe());
};

// node:net (TLS on both runtimes), Bun.connect and Deno.connect keep one contract.
for (const [name, observe] of [
  ["node:net", once(() => observeAll((host, port, ms, h) => connectTcp(host, port, ms, h, undefined, libc)))],
  ["Bun.connect", once(() => observeAll(connectTcpBun))],
  ["Deno.connect", once(observeOnDeno)],
] as const) {
  describe(`connectTcp over ${name}`, () => {
    test("every byte in order, one close when the peer hangs up", async () => {
      const o = (await observe()).inOrder;
      expect(o).toEqual({ closed: true, closes: [null], total: 300 * 1000, misplaced: 0 });
    }, 60_000);

    test("a peer that stops reading shows as pendingBytes, and everything arrives once it reads again", async () => {
      const o = (await observe()).pending;
      expect(o.pendingSeen).toBeGreaterThan(0);
      expect(o).toMatchObject({ arrived: true, pendingAfter: 0, misplaced: 0 });
      expect(o.received).toBe(o.written);
    }, 60_000);

    test("close() ends the connection for the peer; a write after it is ignored; a refused connection rejects", async () => {
      const o = (await observe()).closeAndRefuse;
      expect(o.peerSawClose).toBe(true);
      expect(o.closes).toBeLessThanOrEqual(1);
      expect(o.writeAfterClose).toBeNull();
      expect(o.refused).toContain("ECONNREFUSED"); // worded alike on every client, for the stream status
    }, 60_000);

    test("a receive low-water mark holds bytes below it; lowering it hands them over", async () => {
      const o = (await observe()).lowWater;
      // Below the mark the kernel keeps the 100 bytes; 10 more after 4100 wait too, until the mark is 1 (tcp_set_rcvlowat re-checks at once).
      expect(o).toEqual({ set: true, belowMark: 0, aboveMark: 4100, smallAfter: 4100, lowered: true, afterLowering: 4110 });
    }, 60_000);
  });
}

for (const host of ["127.0.0.1", "::1"]) {
  test(`tcpSocketFd finds a connected socket's fd from its two ports (${host}), and none for ports we do not hold`, async () => {
    const c = libc()!;
    const server = createServer(() => {});
    const p = await new Promise<{ port: number }>((r) => server.listen(0, host, () => r(server.address() as { port: number })));
    // A UDP socket connected to the same ports comes first and must not be taken for it.
    const udp = createSocket(host.includes(":") ? "udp6" : "udp4");
    await new Promise<void>((r) => udp.bind(0, host, () => r()));
    const socket = connect({ host, port: p.port, localPort: udp.address().port });
    await new Promise((r) => socket.once("connect", r));
    await new Promise<void>((r) => udp.connect(p.port, host, () => r()));
    const fd = tcpSocketFd(c, socket.localPort!, p.port);
    expect(fd).toBeGreaterThan(2);
    expect(getIntOption(c, fd!, 1, 3)).toBe(1); // SO_TYPE: SOCK_STREAM, not the UDP socket with the same two ports
    // The fd is that socket: a mark set through it reads back.
    const value = new Uint8Array(new Int32Array([2048]).buffer);
    expect(c.setsockopt(fd!, 1, 18, value)).toBe(0);
    const back = new Uint8Array(4);
    expect(c.getsockopt(fd!, 1, 18, back, new Uint8Array(new Uint32Array([4]).buffer))).toBe(0);
    expect(new DataView(back.buffer).getInt32(0, true)).toBe(2048);
    expect(tcpSocketFd(c, p.port, socket.localPort!)).not.toBe(fd); // the peer's end, in this same process
    expect(tcpSocketFd(c, 1, 2)).toBeUndefined();
    socket.destroy();
    udp.close();
    server.close();
  });
}
