import { afterEach, describe, expect, test } from "bun:test";
import { createSocket, type Socket } from "node:dgram";
import { libc } from "../../src/runtime/udp-libc.ts";
import { receiveUdpBun } from "../../src/runtime/udp-recvmmsg.ts";
import { receiveUdp, type UdpReceiver } from "../../src/runtime/udp.ts";
import { freeUdpPort } from "../helpers/ports.ts";

function sender(): Promise<Socket> {
  const s = createSocket("udp4");
  return new Promise((r) => s.bind(0, "127.0.0.1", () => r(s)));
}

function send(s: Socket, bytes: Uint8Array, port: number, host = "127.0.0.1"): Promise<void> {
  return new Promise((resolve, reject) => s.send(bytes, port, host, (e) => (e ? reject(e) : resolve())));
}

async function until(check: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
}

/** Datagram i: `size` bytes, each byte (i * 31 + offset) & 0xff, so order and content show. */
function datagram(i: number, size: number): Uint8Array {
  return Uint8Array.from({ length: size }, (_, k) => (i * 31 + k) & 0xff);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const open: (UdpReceiver | Socket)[] = [];
afterEach(() => {
  for (const o of open.splice(0)) o.close();
});

describe.skipIf(!libc())("recvmmsg UDP receiver (Bun, Linux)", () => {
  test("datagrams arrive whole, in order, in batches; sizes that are not whole TS packets are counted", async () => {
    const port = await freeUdpPort();
    const got: Uint8Array[] = [];
    // The batch buffer is reused: keep copies, as the TS demuxer does.
    const r = await receiveUdpBun({ host: "127.0.0.1", port, receiveBuffer: 1 << 20 }, (b) => got.push(b.slice()), () => {});
    open.push(r);
    expect(r.granted).toBeGreaterThanOrEqual(1 << 20); // Linux reports twice what was asked (socket(7)), within rmem_max
    const s = await sender();
    open.push(s);
    const sizes = [1316, 188, 1316, 9024, 1000, 1316];
    for (const [i, n] of sizes.entries()) await send(s, datagram(i, n), port);
    const total = sizes.reduce((a, b) => a + b, 0);
    await until(() => got.reduce((n, b) => n + b.length, 0) >= total);
    expect(concat(got)).toEqual(concat(sizes.map((n, i) => datagram(i, n))));
    expect(r.stats).toMatchObject({ datagrams: 6, bytes: total, oddSizes: 1 });
    expect(r.stats.batches).toBeGreaterThanOrEqual(1);
    expect(r.stats.batches).toBeLessThanOrEqual(6);
  });

  test("a datagram longer than a slot (48 TS packets) is cut and counted", async () => {
    const port = await freeUdpPort();
    const got: Uint8Array[] = [];
    const r = await receiveUdpBun({ host: "127.0.0.1", port, receiveBuffer: undefined }, (b) => got.push(b.slice()), () => {});
    open.push(r);
    expect(r.granted).toBe(0);
    const s = await sender();
    open.push(s);
    await send(s, datagram(1, 20000), port);
    await send(s, datagram(2, 376), port);
    await until(() => r.stats.datagrams >= 2);
    expect(r.stats.oddSizes).toBe(1);
    const all = concat(got);
    expect(all.length).toBe(48 * 188 + 376);
    expect(all.subarray(0, 48 * 188)).toEqual(datagram(1, 48 * 188));
    expect(all.subarray(48 * 188)).toEqual(datagram(2, 376));
  });

  test("the same bytes and counters as the node:dgram receiver", async () => {
    const [p1, p2] = [await freeUdpPort(), await freeUdpPort()];
    const a: Uint8Array[] = [];
    const b: Uint8Array[] = [];
    const fast = await receiveUdpBun({ host: "127.0.0.1", port: p1, receiveBuffer: 1 << 20 }, (x) => a.push(x.slice()), () => {});
    const node = await receiveUdp({ host: "127.0.0.1", port: p2, receiveBuffer: 1 << 20 }, (x) => b.push(x.slice()), () => {});
    open.push(fast, node);
    const s = await sender();
    open.push(s);
    for (let i = 0; i < 300; i++) {
      const d = datagram(i, i % 10 === 0 ? 188 : 1316);
      await send(s, d, p1);
      await send(s, d, p2);
    }
    // Wait for the bytes, not the counters: node:dgram counts a datagram at once and hands its batch over at the end of the turn.
    const total = 30 * 188 + 270 * 1316;
    const delivered = (parts: Uint8Array[]) => parts.reduce((n, p) => n + p.length, 0);
    await until(() => delivered(a) >= total && delivered(b) >= total);
    expect(concat(a)).toEqual(concat(b));
    const { batches: _a, ...fastStats } = fast.stats;
    const { batches: _b, ...nodeStats } = node.stats;
    expect(fastStats).toEqual(nodeStats);
  });

  test("multicast joined on the loopback interface", async () => {
    const port = await freeUdpPort();
    const group = "239.255.71.9";
    const got: Uint8Array[] = [];
    const r = await receiveUdpBun({ host: group, port, multicast: { group, interface: "127.0.0.1" }, receiveBuffer: 1 << 20 }, (b) => got.push(b.slice()), () => {});
    open.push(r);
    const s = await sender();
    open.push(s);
    s.setMulticastInterface("127.0.0.1");
    await send(s, datagram(7, 1316), port, group);
    await until(() => r.stats.datagrams >= 1);
    expect(concat(got)).toEqual(datagram(7, 1316));
  });

  test("joining on an address that is no local interface fails with the reason", async () => {
    const port = await freeUdpPort();
    const options = { host: "239.255.71.10", port, multicast: { group: "239.255.71.10", interface: "192.0.2.1" }, receiveBuffer: undefined };
    await expect(receiveUdpBun(options, () => {}, () => {})).rejects.toThrow(/cannot join membership of 239\.255\.71\.10 on 192\.0\.2\.1: .+/);
  });

  test("after close nothing more is delivered", async () => {
    const port = await freeUdpPort();
    let n = 0;
    const r = await receiveUdpBun({ host: "127.0.0.1", port, receiveBuffer: undefined }, () => n++, () => {});
    const s = await sender();
    open.push(s);
    await send(s, datagram(1, 188), port);
    await until(() => n === 1);
    r.close();
    r.close();
    await send(s, datagram(2, 188), port).catch(() => {});
    await new Promise((res) => setTimeout(res, 50));
    expect(n).toBe(1);
    expect(r.stats.datagrams).toBe(1);
  });
});
