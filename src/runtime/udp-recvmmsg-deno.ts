import { logger } from "../core/log.ts";
import { libcDeno } from "./udp-libc-deno.ts";
import type { LinuxSocketCalls } from "./udp-linux.ts";
import { receiveUdpMmsg, recvmmsgWanted } from "./udp-mmsg.ts";
import { receiveUdp, type UdpReceiveOptions, type UdpReceiver } from "./udp.ts";

const log = logger("udp");

let calls: LinuxSocketCalls | null | undefined;

/** Loaded on the first UDP source, so a server without one never asks for FFI; the fallback is said once. */
function load(): LinuxSocketCalls | undefined {
  if (calls === undefined) {
    const c = libcDeno();
    calls = typeof c === "string" ? null : c;
    if (typeof c === "string") {
      log.warn(`${c}: UDP sources use node:dgram (one allocation per datagram, kernel default receive buffer); run Deno with --allow-ffi for recvmmsg`);
    }
  }
  return calls ?? undefined;
}

/** The Deno adapter's receiveUdp: recvmmsg through Deno's FFI (udp-mmsg.ts) when it can, node:dgram otherwise. */
export function receiveUdpDeno(options: UdpReceiveOptions, onBatch: (bytes: Uint8Array) => void, onError: (error: Error) => void): Promise<UdpReceiver> {
  const c = recvmmsgWanted((name) => process.env[name]) ? load() : undefined;
  // Deno 2.9's node:dgram never applies setRecvBufferSize to the socket: it records the
  // size and allocates a buffer that large for every datagram (8 MiB zeroed per 1316-byte
  // datagram with our 4 MiB default: 75-93 % loss at 100 Mbit/s, bench/udp-ingest). So
  // there the kernel's default receive buffer stays (net.core.rmem_default).
  if (!c) return receiveUdp({ ...options, receiveBuffer: undefined }, onBatch, onError);
  return receiveUdpMmsg(c, options, onBatch, onError);
}
