import { logger } from "../core/log.ts";
import { connectTcp, type TcpConnection, type TcpHandlers } from "./tcp.ts";
import { tcpLibcDeno } from "./tcp-libc-deno.ts";
import type { TcpSocketCalls } from "./tcp-linux.ts";
import { connectTcpPolled, tcpPollWanted } from "./tcp-polled.ts";
import type { TlsOptions } from "./tls.ts";

const log = logger("tcp");

let calls: TcpSocketCalls | null | undefined;

/** Loaded on the first plain TCP connection, so a server without one never asks for FFI; the fallback is said once. */
function load(): TcpSocketCalls | undefined {
  if (calls === undefined) {
    const c = tcpLibcDeno();
    calls = typeof c === "string" ? null : c;
    if (typeof c === "string") log.warn(`${c}: RTSP/TCP connections use node:net (one wake-up per read); run Deno with --allow-ffi for polled reads`);
  }
  return calls ?? undefined;
}

/** The Deno adapter's connectTcp: plain TCP polled through Deno's FFI (tcp-polled.ts) when it can, node:net otherwise and for TLS. */
export function connectTcpDeno(host: string, port: number, timeoutMs: number, handlers: TcpHandlers, tls?: TlsOptions): Promise<TcpConnection> {
  const c = !tls && tcpPollWanted((name) => process.env[name]) ? load() : undefined;
  if (!c) return connectTcp(host, port, timeoutMs, handlers, tls);
  return connectTcpPolled(c, host, port, timeoutMs, handlers, connectTcp);
}
