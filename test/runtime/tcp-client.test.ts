import { afterEach, describe, expect, test } from "bun:test";
import { createServer, type Server, type Socket } from "node:net";
import { connectTcp } from "../../src/runtime/tcp.ts";
import { connectTcpBun } from "../../src/runtime/tcp-bun.ts";

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
  ["node:net", connectTcp],
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
  });
}
