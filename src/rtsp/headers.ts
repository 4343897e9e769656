import { parseDecimal, splitOutsideQuotes, splitParam, unquote } from "./params.ts";

export { formatTransport, parseTransport, type Transport } from "./transport.ts";

/** RFC 2326 12.37: "The timeout is measured in seconds, with a default of 60 seconds." */
export const DEFAULT_SESSION_TIMEOUT_S = 60;
/** A day: longer timeouts are a camera's typo, not a promise we want to rely on. */
const MAX_SESSION_TIMEOUT_S = 86_400;
/** RTP sequence numbers are 16-bit, timestamps 32-bit (RFC 3550 5.1). */
const MAX_SEQ = 0xffff;
const MAX_RTPTIME = 0xffffffff;

export interface RtspSession {
  id: string;
  /** Seconds; DEFAULT_SESSION_TIMEOUT_S when absent, zero or unreadable. */
  timeout: number;
}

/**
 * `Session: id[;timeout=n]` (RFC 2326 12.37). Tolerates `Timeout = 60`,
 * quotes and extra parameters. Undefined when there is no id.
 */
export function parseSession(value: string): RtspSession | undefined {
  const [idPart, ...params] = splitOutsideQuotes(value, ";");
  const id = unquote(idPart);
  if (id === "" || /\s/.test(id)) return undefined;
  let timeout = DEFAULT_SESSION_TIMEOUT_S;
  for (const p of params) {
    const { key, value: v } = splitParam(p);
    if (key !== "timeout") continue;
    const n = parseDecimal(v, 1, MAX_SESSION_TIMEOUT_S);
    if (n !== undefined) timeout = n;
  }
  return { id, timeout };
}

/** Writes the timeout only when it is not the default, as RFC 2326 12.37 allows. */
export function formatSession(s: RtspSession): string {
  return s.timeout === DEFAULT_SESSION_TIMEOUT_S ? s.id : `${s.id};timeout=${s.timeout}`;
}

export interface RtpInfo {
  url: string;
  seq?: number;
  rtptime?: number;
}

/** Keys RTP-Info carries besides url (RFC 2326 12.33; ssrc from RFC 7826 18.45). */
const RTP_INFO_KEYS = /^\s*(seq|rtptime|ssrc)\s*=/i;

/**
 * `RTP-Info: url=…;seq=…;rtptime=…, url=…` (RFC 2326 12.33). URLs may hold
 * `,` and `;` themselves, so entries split only before `url=` and a `;` part
 * that is not seq/rtptime/ssrc stays in the URL. Entries without a url are dropped.
 */
export function parseRtpInfo(value: string): RtpInfo[] {
  const out: RtpInfo[] = [];
  for (const entry of value.split(/,(?=\s*url\s*=)/i)) {
    const parts = entry.split(";");
    const first = splitParam(parts[0]);
    if (first.key !== "url" || !first.value) continue;
    let url = parts[0].slice(parts[0].indexOf("=") + 1).trim();
    const info: RtpInfo = { url: "" };
    for (const part of parts.slice(1)) {
      if (!RTP_INFO_KEYS.test(part)) {
        url += `;${part}`;
        continue;
      }
      const { key, value: v } = splitParam(part);
      if (key === "seq") info.seq = parseDecimal(v, 0, MAX_SEQ) ?? info.seq;
      else if (key === "rtptime") info.rtptime = parseDecimal(v, 0, MAX_RTPTIME) ?? info.rtptime;
    }
    info.url = unquote(url);
    if (info.url !== "") out.push(info);
  }
  return out;
}

export function formatRtpInfo(entries: readonly RtpInfo[]): string {
  return entries
    .map((e) => {
      let s = `url=${e.url}`;
      if (e.seq !== undefined) s += `;seq=${e.seq}`;
      if (e.rtptime !== undefined) s += `;rtptime=${e.rtptime}`;
      return s;
    })
    .join(",");
}

/** `Public: OPTIONS, DESCRIBE, …` (RFC 2326 12.28 via RFC 2616 14.7): upper-cased, deduplicated, in order. */
export function parsePublic(value: string): string[] {
  const methods = value.split(/[\s,]+/).filter((m) => /^[A-Za-z_-]+$/.test(m)).map((m) => m.toUpperCase());
  return [...new Set(methods)];
}

export function formatPublic(methods: readonly string[]): string {
  return methods.join(", ");
}
