import { afterEach, describe, expect, test } from "bun:test";
import { connect, createServer, type Server, type Socket } from "node:net";
import { connectTcp, type TcpHandlers } from "../../src/runtime/tcp.ts";
import { connectTcpBun } from "../../src/runtime/tcp-bun.ts";
import { tcpSocketFd } from "../../src/runtime/tcp-low-water.ts";
import { libc } from "../../src/runtime/udp-libc.ts";

/** A loopback peer; `onSocket` gets each accepted connection. */
function peer(onSocket: (s: Socket) => void): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer(onSocket);
    server.listen(0, "127.0.0.1", () => resolve({ server, port: (server.address() as { port: number }).port }));
  });
}

const until = async (check: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  return check();
};

// node:net (Deno, and TLS on both) and Bun.connect keep one contract.
for (const [name, connect] of [
  ["node:net", (host: string, port: number, ms: number, h: TcpHandlers) => connectTcp(host, port, ms, h, undefined, libc)],
  ["Bun.connect", connectTcpBun],
] as const) {
  describe(`connectTcp over ${name}`, () => {
    let server: Server | undefined;
    afterEach(() => {
      server?.close();
      server = undefined;
    });

    test("every byte in order, each chunk in memory of its own, one close when the peer hangs up", async () => {
      const total = 300 * 1000;
      const p = await peer((s) => {
        let k = 0;
        const t = setInterval(() => {
          s.write(new Uint8Array(1000).fill(k++ & 0xff));
          if (k === 300) {
            clearInterval(t);
            s.end();
          }
        }, 1);
      });
      server = p.server;
      const chunks: { bytes: Uint8Array; copy: Uint8Array }[] = [];
      const closes: (Error | undefined)[] = [];
      await connect("127.0.0.1", p.port, 5000, { onData: (b) => chunks.push({ bytes: b, copy: b.slice() }), onClose: (e) => closes.push(e) });
      expect(await until(() => closes.length > 0)).toBe(true);
      await new Promise((r) => setTimeout(r, 100));
      expect(closes).toEqual([undefined]);
      // Chunks are kept as views by RtspReader: later reads must not have overwritten them.
      for (const c of chunks) expect(c.bytes).toEqual(c.copy);
      const all = new Uint8Array(total);
      let at = 0;
      for (const c of chunks) all.set(c.bytes, (at += c.bytes.length) - c.bytes.length);
      expect(at).toBe(total);
      for (let k = 0; k < 300; k++) expect(all[k * 1000]).toBe(k & 0xff);
    });

    test("a peer that stops reading shows as pendingBytes, and everything arrives once it reads again", async () => {
      const chunk = 64 * 1024;
      let received = 0;
      let misplaced = 0;
      let peerSocket: Socket | undefined;
      const p = await peer((s) => {
        peerSocket = s;
        s.pause();
        s.on("data", (b: Buffer) => {
          // Byte o of the stream belongs to write number o / chunk, which filled it with that number.
          for (let i = 0; i < b.length; i++) if (b[i] !== (Math.floor((received + i) / chunk) & 0xff)) misplaced++;
          received += b.length;
        });
      });
      server = p.server;
      const conn = await connect("127.0.0.1", p.port, 5000, { onData: () => {}, onClose: () => {} });
      let written = 0;
      for (let k = 0; k < 400 && conn.pendingBytes === 0; k++) {
        conn.write(new Uint8Array(chunk).fill(k & 0xff));
        written += chunk;
      }
      expect(conn.pendingBytes).toBeGreaterThan(0);
      peerSocket!.resume();
      expect(await until(() => received === written)).toBe(true);
      expect(conn.pendingBytes).toBe(0);
      expect(misplaced).toBe(0);
      conn.close();
    });

    test("close() ends the connection for the peer; a refused connection rejects", async () => {
      let peerClosed = false;
      const p = await peer((s) => s.on("close", () => (peerClosed = true)).on("error", () => {}));
      server = p.server;
      const closes: (Error | undefined)[] = [];
      const conn = await connect("127.0.0.1", p.port, 5000, { onData: () => {}, onClose: (e) => closes.push(e) });
      conn.close();
      conn.write(new Uint8Array(10)); // after close: ignored, no throw
      expect(await until(() => peerClosed)).toBe(true);
      expect(closes.length).toBeLessThanOrEqual(1);
      server.close();
      server = undefined;
      await new Promise((r) => setTimeout(r, 50));
      await expect(connect("127.0.0.1", p.port, 5000, { onData: () => {}, onClose: () => {} })).rejects.toThrow();
    });

    test("a receive low-water mark holds bytes below it; lowering it hands them over", async () => {
      let peerSocket: Socket | undefined;
      const p = await peer((s) => (peerSocket = s));
      server = p.server;
      const got: number[] = [];
      const conn = await connect("127.0.0.1", p.port, 5000, { onData: (b) => got.push(b.length), onClose: () => {} });
      expect(await until(() => peerSocket !== undefined)).toBe(true);
      expect(conn.setReceiveLowWater(4096)).toBe(true);
      peerSocket!.write(new Uint8Array(100));
      await new Promise((r) => setTimeout(r, 300));
      expect(got).toEqual([]); // below the mark: the kernel keeps it
      peerSocket!.write(new Uint8Array(4000));
      expect(await until(() => got.reduce((a, b) => a + b, 0) === 4100)).toBe(true);
      peerSocket!.write(new Uint8Array(10));
      await new Promise((r) => setTimeout(r, 300));
      expect(got.reduce((a, b) => a + b, 0)).toBe(4100);
      expect(conn.setReceiveLowWater(1)).toBe(true); // the kernel re-checks the queue at once (tcp_set_rcvlowat)
      expect(await until(() => got.reduce((a, b) => a + b, 0) === 4110)).toBe(true);
      conn.close();
    });
  });
}

test("tcpSocketFd finds a connected socket's fd from its two ports, and none for ports we do not hold", async () => {
  const p = await peer(() => {});
  const socket = connect({ host: "127.0.0.1", port: p.port });
  await new Promise((r) => socket.once("connect", r));
  const fd = tcpSocketFd(socket.localPort!, p.port);
  expect(fd).toBeGreaterThan(2);
  // The fd is that socket: a mark set through it reads back.
  const value = new Uint8Array(new Int32Array([2048]).buffer);
  expect(libc()!.setsockopt(fd!, 1, 18, value)).toBe(0);
  const back = new Uint8Array(4);
  expect(libc()!.getsockopt(fd!, 1, 18, back, new Uint8Array(new Uint32Array([4]).buffer))).toBe(0);
  expect(new DataView(back.buffer).getInt32(0, true)).toBe(2048);
  expect(tcpSocketFd(p.port, socket.localPort!)).not.toBe(fd); // the peer's end, in this same process
  expect(tcpSocketFd(1, 2)).toBeUndefined();
  socket.destroy();
  p.server.close();
});
