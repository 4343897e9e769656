import { afterEach, describe, expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { connectTcpBunPolled } from "../../src/runtime/tcp-polled-bun.ts";
import { tcpLibc } from "../../src/runtime/tcp-libc.ts";
import { sockaddr } from "../../src/runtime/tcp-linux.ts";
import { connectTcpPolled, polledConnections } from "../../src/runtime/tcp-polled.ts";
import type { TcpConnection, TcpHandlers } from "../../src/runtime/tcp.ts";

/** The FFI-polled TCP client (tcp-polled.ts) on Bun, against loopback peers; the shared contract is in tcp-client.test.ts. */

const linux = process.platform === "linux" && (process.arch === "x64" || process.arch === "arm64");
const noFallback = () => Promise.reject(new Error("fallback used"));

function connect(host: string, port: number, ms: number, h: TcpHandlers): Promise<TcpConnection> {
  const c = tcpLibc();
  if (!c) throw new Error("no libc calls through bun:ffi");
  return connectTcpPolled(c, host, port, ms, h, noFallback);
}

function peer(onSocket: (s: Socket) => void, host = "127.0.0.1"): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer(onSocket);
    server.listen(0, host, () => resolve({ server, port: (server.address() as { port: number }).port }));
  });
}

const until = async (check: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  return check();
};

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const f of cleanup.splice(0)) f();
});

describe("sockaddr", () => {
  test("IPv4 and IPv6 text forms; anything else (names, scoped addresses) is not taken", () => {
    expect([...sockaddr("192.0.2.7", 554)!]).toEqual([2, 0, 0x02, 0x2a, 192, 0, 2, 7, 0, 0, 0, 0, 0, 0, 0, 0]);
    const v6 = sockaddr("2001:db8::1", 8554)!;
    expect(v6.length).toBe(28);
    expect([...v6.subarray(0, 4)]).toEqual([10, 0, 0x21, 0x6a]);
    expect([...v6.subarray(8, 24)]).toEqual([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect([...sockaddr("::", 1)!.subarray(8, 24)]).toEqual(new Array(16).fill(0));
    expect([...sockaddr("::ffff:10.1.2.3", 1)!.subarray(8, 24)]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 1, 2, 3]);
    expect([...sockaddr("1:2:3:4:5:6:7:8", 1)!.subarray(22, 24)]).toEqual([0, 8]);
    for (const bad of ["camera.local", "fe80::1%eth0", "1::2::3", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "256.1.1.1", "12345::", ":::"]) {
      expect(sockaddr(bad, 1)).toBeUndefined();
    }
  });
});

describe.skipIf(!linux)("connectTcp polled through bun:ffi", () => {
  test("a large transfer both ways arrives whole and in order; the timer stops with the last connection", async () => {
    const size = 16 * 1024 * 1024;
    const pattern = (o: number) => (o * 7 + (o >> 12)) & 0xff;
    let echoed = 0;
    let echoBad = 0;
    const p = await peer((s) => {
      const out = new Uint8Array(size);
      for (let o = 0; o < size; o++) out[o] = pattern(o);
      s.write(out);
      s.on("data", (b: Buffer) => {
        for (let i = 0; i < b.length; i++) if (b[i] !== ((echoed + i) * 13) % 251) echoBad++;
        echoed += b.length;
      });
    });
    cleanup.push(() => p.server.close());
    let got = 0;
    let bad = 0;
    const conn = await connect("127.0.0.1", p.port, 5000, {
      onData(b) {
        for (let i = 0; i < b.length; i++) if (b[i] !== pattern(got + i)) bad++;
        got += b.length;
      },
      onClose() {},
    });
    expect(polledConnections()).toBe(1);
    const up = 4 * 1024 * 1024;
    for (let at = 0; at < up; at += 65536) conn.write(Uint8Array.from({ length: 65536 }, (_, i) => ((at + i) * 13) % 251));
    expect(await until(() => got === size && echoed === up, 20_000)).toBe(true);
    expect([bad, echoBad, conn.pendingBytes]).toEqual([0, 0, 0]);
    conn.close();
    expect(polledConnections()).toBe(0);
  });

  test("a refused connection and a reset say what happened, with the system's words", async () => {
    const p = await peer((s) => {
      s.write("hello");
      // RST instead of FIN: the client's recv fails with ECONNRESET.
      setTimeout(() => s.resetAndDestroy(), 50);
    });
    const closes: (Error | undefined)[] = [];
    await connect("127.0.0.1", p.port, 5000, { onData() {}, onClose: (e) => closes.push(e) });
    expect(await until(() => closes.length > 0)).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    expect(closes.length).toBe(1);
    expect(closes[0]?.message).toBe(`read from 127.0.0.1:${p.port}: Connection reset by peer (errno 104)`);
    await new Promise<void>((r) => p.server.close(() => r()));
    await expect(connect("127.0.0.1", p.port, 5000, { onData() {}, onClose() {} })).rejects.toThrow(
      `cannot connect to 127.0.0.1:${p.port}: Connection refused (errno 111)`,
    );
    expect(polledConnections()).toBe(0);
  });

  test("a connection the peer never accepts ends at the deadline", async () => {
    // A listener with a full accept queue (backlog 0, never accepting) drops further SYNs: connect() hangs.
    const py = spawn("python3", ["-c", "import socket,time\ns=socket.socket()\ns.bind(('127.0.0.1',0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\ntime.sleep(30)"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    cleanup.push(() => py.kill());
    const port = await new Promise<number>((r) => py.stdout.once("data", (b: Buffer) => r(Number(b.toString().trim()))));
    const fillers = [0, 1, 2].map(() => createConnection(port, "127.0.0.1").on("error", () => {}));
    cleanup.push(() => fillers.forEach((f) => f.destroy()));
    await new Promise((r) => setTimeout(r, 200));
    const t0 = Date.now();
    await expect(connect("127.0.0.1", port, 300, { onData() {}, onClose() {} })).rejects.toThrow(`no TCP connection to 127.0.0.1:${port} within 300 ms`);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(polledConnections()).toBe(0);
  });

  test("host names go through the resolver, IPv6 addresses through sockaddr_in6", async () => {
    // "::" takes IPv4 too (dual stack), so "localhost" works whichever family the resolver gives first.
    const p = await peer((s) => s.end("hi"), "::");
    cleanup.push(() => p.server.close());
    for (const host of ["localhost", "::1", "[::1]"]) {
      let text = "";
      let closed = false;
      await connect(host, p.port, 5000, { onData: (b) => (text += new TextDecoder().decode(b)), onClose: () => (closed = true) });
      expect(await until(() => closed)).toBe(true);
      expect(text).toBe("hi");
    }
    await expect(connect("no-such-host.invalid", p.port, 3000, { onData() {}, onClose() {} })).rejects.toThrow("no-such-host.invalid");
  });

  test("Bun's adapter polls plain TCP, and uses Bun.connect with TCP_POLL=0", async () => {
    const p = await peer((s) => s.on("error", () => {}));
    cleanup.push(() => p.server.close());
    const a = await connectTcpBunPolled("127.0.0.1", p.port, 5000, { onData() {}, onClose() {} });
    expect(polledConnections()).toBe(1);
    a.close();
    process.env.TCP_POLL = "0";
    try {
      const b = await connectTcpBunPolled("127.0.0.1", p.port, 5000, { onData() {}, onClose() {} });
      expect(polledConnections()).toBe(0);
      b.close();
    } finally {
      delete process.env.TCP_POLL;
    }
  });
});
