// bench/rtsp-ingest/socket-read.ts: CPU per RTP packet of the RTSP client's
// socket path alone, node:net (connectTcp) against Bun.connect (connectTcpBun).
// A child process writes one 1404-byte `$`-framed packet per write to each of
// CONNS connections, RATE per second each, so nearly every read carries one
// packet, as with a camera; this process reads with RtspReader and reports
// its CPU (user + system) per packet over SECONDS, alternating the two
// clients for ROUNDS rounds.
//
//   bun bench/rtsp-ingest/socket-read.ts [--conns 10] [--rate 200] [--seconds 10] [--rounds 4]
import { spawn } from "node:child_process";
import { connectTcp, type TcpConnection } from "../../src/runtime/tcp.ts";
import { connectTcpBun } from "../../src/runtime/tcp-bun.ts";
import { RtspReader } from "../../src/rtsp/reader.ts";

const argv = process.argv.slice(2);
const opt = (name: string, fallback: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};

if (argv.includes("--send")) {
  const rate = opt("rate", 200);
  const frame = new Uint8Array(1404);
  frame.set([0x24, 0, 1400 >> 8, 1400 & 0xff, 0x80]);
  const clients = new Set<{ write(b: Uint8Array): number }>();
  const server = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { open: (s) => void clients.add(s), close: (s) => void clients.delete(s), data() {} } });
  console.log(server.port);
  const start = performance.now();
  let sent = 0;
  setInterval(() => {
    const due = Math.floor(((performance.now() - start) / 1000) * rate);
    for (; sent < due; sent++) for (const c of clients) c.write(frame);
  }, 1);
} else {
  const [conns, rate, seconds, rounds] = [opt("conns", 10), opt("rate", 200), opt("seconds", 10), opt("rounds", 4)];
  const sender = spawn(process.execPath, [import.meta.path, "--send", "--rate", String(rate)], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve) => sender.stdout!.once("data", (b: Buffer) => resolve(Number(b.toString().trim()))));
  const results: Record<string, number[]> = { "node:net": [], "Bun.connect": [] };
  for (let round = 0; round < rounds; round++) {
    for (const [name, connect] of [["node:net", connectTcp], ["Bun.connect", connectTcpBun]] as const) {
      let packets = 0;
      const open: TcpConnection[] = [];
      for (let k = 0; k < conns; k++) {
        const reader = new RtspReader();
        const onData = (chunk: Uint8Array) => {
          for (const item of reader.push(chunk)) if (item.kind === "interleaved") packets++;
        };
        open.push(await connect("127.0.0.1", port, 5000, { onData, onClose() {} }));
      }
      await Bun.sleep(2000);
      const [cpu0, p0] = [process.cpuUsage(), packets];
      await Bun.sleep(seconds * 1000);
      const cpu = process.cpuUsage(cpu0);
      const us = (cpu.user + cpu.system) / (packets - p0);
      results[name]!.push(us);
      console.log(`${name.padEnd(12)} round ${round + 1}: ${us.toFixed(2)} µs CPU per packet (${packets - p0} packets)`);
      for (const c of open) c.close();
      await Bun.sleep(500);
    }
  }
  const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
  for (const [name, us] of Object.entries(results)) console.log(`${name}: median ${median(us).toFixed(2)} µs per packet`);
  sender.kill();
}
