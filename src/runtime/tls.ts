import { isIP, type Socket } from "node:net";
import { connect, type TLSSocket } from "node:tls";

/** How a TLS client connection checks the peer (RTSP over TLS to cameras). */
export interface TlsOptions {
  /** Check the certificate chain against the system CAs and the host name. */
  readonly verify: boolean;
  /** SHA-256 of the peer's certificate (hex, colons optional): when set it must match, and replaces `verify`. */
  readonly fingerprint?: string;
}

/** Normalised SHA-256 fingerprint: lower-case hex, no colons. */
export function normalizeFingerprint(s: string): string {
  return s.replace(/:/g, "").toLowerCase();
}

/** node:tls client socket (Bun and Deno both implement it); `secureConnect` means handshake and checks done. */
export function connectTlsSocket(host: string, port: number, tls: TlsOptions): Socket {
  return connect({
    host,
    port,
    // SNI carries host names only (RFC 6066 3); an IP literal there is refused by some servers.
    servername: isIP(host) ? undefined : host,
    rejectUnauthorized: tls.verify && tls.fingerprint === undefined,
  });
}

/** Why the peer of a finished handshake is not accepted; undefined when it is. */
export function tlsPeerProblem(socket: Socket, host: string, port: number, tls: TlsOptions): string | undefined {
  if (tls.fingerprint === undefined) return undefined;
  const got = (socket as TLSSocket).getPeerCertificate()?.fingerprint256;
  if (!got) return `TLS: ${host}:${port} sent no certificate`;
  if (normalizeFingerprint(got) === normalizeFingerprint(tls.fingerprint)) return undefined;
  return `TLS: the certificate of ${host}:${port} has SHA-256 fingerprint ${normalizeFingerprint(got)}, not the configured one`;
}
