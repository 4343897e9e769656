import { parseDecimal, splitOutsideQuotes, splitParam } from "./params.ts";

/** Ports are 16-bit; interleaved channels are one byte (RFC 2326 10.12); multicast TTL is one byte. */
const MAX_PORT = 0xffff;
const MAX_CHANNEL = 0xff;
const MAX_TTL = 0xff;
/** SSRC is 32 bits, written as hex (RFC 2326 12.39 `ssrc = 8*8(HEX)`). */
const SSRC_HEX = /^[0-9A-Fa-f]{1,8}$/;

/** One Transport alternative (RFC 2326 12.39). Ranges are [RTP, RTCP]. */
export interface Transport {
  /** Transport protocol and profile, upper-cased: `RTP/AVP` (also for `RTP/AVP/UDP` and `RTP/AVP/TCP`). */
  profile: string;
  lowerTransport: "UDP" | "TCP";
  /** RFC 2326 12.39: unicast unless multicast is given. */
  delivery?: "unicast" | "multicast";
  destination?: string;
  source?: string;
  interleaved?: [number, number];
  clientPort?: [number, number];
  serverPort?: [number, number];
  /** Multicast port pair. */
  port?: [number, number];
  ttl?: number;
  ssrc?: number;
  /** Upper-cased and unquoted: `PLAY` (the default) or `RECORD`. */
  mode?: string;
  append?: boolean;
}

/** `a-b`, or a single `a` meaning a and a+1 (RFC 2326 12.39: RTCP on the next port / channel). */
function range(value: string | undefined, max: number): [number, number] | undefined {
  if (value === undefined) return undefined;
  const [a, b] = value.split("-");
  const first = parseDecimal(a, 0, max);
  if (first === undefined) return undefined;
  const second = b === undefined ? Math.min(first + 1, max) : parseDecimal(b, 0, max);
  return second === undefined ? undefined : [first, second];
}

function parseOne(spec: string): Transport | undefined {
  const parts = splitOutsideQuotes(spec, ";").map((p) => p.trim()).filter((p) => p !== "");
  const proto = (parts.shift() ?? "").toUpperCase().split("/");
  if (proto.length < 2 || proto.length > 3 || proto[0] !== "RTP") return undefined;
  const lower = proto[2] ?? "UDP";
  if (lower !== "UDP" && lower !== "TCP") return undefined;
  const t: Transport = { profile: `${proto[0]}/${proto[1]}`, lowerTransport: lower };
  for (const part of parts) {
    const { key, value } = splitParam(part);
    switch (key) {
      case "unicast":
      case "multicast":
        t.delivery = key;
        break;
      case "destination":
      case "source":
        if (value) t[key] = value;
        break;
      case "interleaved":
        t.interleaved = range(value, MAX_CHANNEL) ?? t.interleaved;
        break;
      case "client_port":
        t.clientPort = range(value, MAX_PORT) ?? t.clientPort;
        break;
      case "server_port":
        t.serverPort = range(value, MAX_PORT) ?? t.serverPort;
        break;
      case "port":
        t.port = range(value, MAX_PORT) ?? t.port;
        break;
      case "ttl":
        t.ttl = parseDecimal(value, 0, MAX_TTL) ?? t.ttl;
        break;
      case "ssrc": {
        // RFC 7826 allows `ssrc=a/b`; some servers pad with spaces or write fewer digits.
        const first = (value ?? "").split("/")[0].trim();
        if (SSRC_HEX.test(first)) t.ssrc = parseInt(first, 16);
        break;
      }
      case "mode":
        // GStreamer's rtspclientsink sends mode=RECORD, ffmpeg mode=record, the RFC mode="PLAY".
        if (value) t.mode = value.toUpperCase();
        break;
      case "append":
        t.append = true;
        break;
      // Unknown parameters (layers, timeout from some DVRs, …) are ignored, as RFC 2326 12.39 says.
    }
  }
  return t;
}

/**
 * Parses a Transport header: comma-separated alternatives (RFC 2326 12.39),
 * in order. Alternatives we do not understand (not RTP, bad lower transport)
 * are left out, and bad parameter values are ignored; never throws, so an
 * empty or garbage header gives [].
 */
export function parseTransport(value: string): Transport[] {
  return splitOutsideQuotes(value, ",").map(parseOne).filter((t): t is Transport => t !== undefined);
}

const pair = (r: [number, number]) => `${r[0]}-${r[1]}`;

/**
 * Formats one or more alternatives. Mode is written unquoted and lower-case
 * (`mode=record`), as ffmpeg does; every server we know compares it without case.
 */
export function formatTransport(transports: Transport | readonly Transport[]): string {
  const list = Array.isArray(transports) ? transports : [transports as Transport];
  return list
    .map((t) => {
      const parts = [t.lowerTransport === "TCP" ? `${t.profile}/TCP` : t.profile];
      if (t.delivery) parts.push(t.delivery);
      if (t.destination) parts.push(`destination=${t.destination}`);
      if (t.source) parts.push(`source=${t.source}`);
      if (t.interleaved) parts.push(`interleaved=${pair(t.interleaved)}`);
      if (t.clientPort) parts.push(`client_port=${pair(t.clientPort)}`);
      if (t.serverPort) parts.push(`server_port=${pair(t.serverPort)}`);
      if (t.port) parts.push(`port=${pair(t.port)}`);
      if (t.ttl !== undefined) parts.push(`ttl=${t.ttl}`);
      if (t.ssrc !== undefined) parts.push(`ssrc=${(t.ssrc >>> 0).toString(16).toUpperCase().padStart(8, "0")}`);
      if (t.mode) parts.push(`mode=${t.mode.toLowerCase()}`);
      if (t.append) parts.push("append");
      return parts.join(";");
    })
    .join(",");
}
