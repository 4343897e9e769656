import type { TcpConnection, TcpHandlers } from "./tcp.ts";
import { connectTcpBun } from "./tcp-bun.ts";
import { tcpLibc } from "./tcp-libc.ts";
import { connectTcpPolled, tcpPollWanted } from "./tcp-polled.ts";
import type { TlsOptions } from "./tls.ts";

/** The Bun adapter's connectTcp: plain TCP polled through bun:ffi (tcp-polled.ts) when it can, Bun.connect otherwise and for TLS. */
export function connectTcpBunPolled(host: string, port: number, timeoutMs: number, handlers: TcpHandlers, tls?: TlsOptions): Promise<TcpConnection> {
  const c = !tls && tcpPollWanted((name) => process.env[name]) ? tcpLibc() : undefined;
  if (!c) return connectTcpBun(host, port, timeoutMs, handlers, tls);
  return connectTcpPolled(c, host, port, timeoutMs, handlers, connectTcpBun);
}
