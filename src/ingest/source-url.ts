/** What a path's `source` setting names. */
export type SourceSpec =
  | { kind: "publisher" }
  | { kind: "udp"; host: string; port: number; multicast: boolean; interface?: string; sourceAddress?: string; program?: number }
  | { kind: "http"; url: string; program?: number }
  | { kind: "rtsp"; url: string; tls: boolean };

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function ipv4(s: string): number[] | undefined {
  const m = IPV4.exec(s);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  return parts.every((p) => p <= 255) ? parts : undefined;
}

/** 224.0.0.0/4 (RFC 5771). */
export function isMulticast(host: string): boolean {
  const p = ipv4(host);
  return p !== undefined && p[0] >= 224 && p[0] <= 239;
}

function programOf(params: URLSearchParams): number | string | undefined {
  const p = params.get("program");
  if (p === null) return undefined;
  const n = Number(p);
  return Number.isInteger(n) && n >= 1 && n <= 65535 ? n : `program must be a number from 1 to 65535, got "${p}"`;
}

/** Parses a `source` value; a string result is the reason it is not usable. */
export function parseSource(value: string): SourceSpec | string {
  if (value === "publisher") return { kind: "publisher" };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `"${value}" is not a URL (expected publisher, rtsp(s)://…, udp://host:port or http(s)://…)`;
  }
  const program = programOf(url.searchParams);
  if (typeof program === "string") return program;
  if (url.protocol === "http:" || url.protocol === "https:") return { kind: "http", url: url.href, program };
  if (url.protocol === "rtsp:" || url.protocol === "rtsps:") {
    const tls = url.protocol === "rtsps:";
    return url.hostname ? { kind: "rtsp", url: value, tls } : `${url.protocol}// source needs a host, e.g. ${tls ? "rtsps://camera:322" : "rtsp://camera:554"}/stream`;
  }
  if (url.protocol !== "udp:") return `unsupported source scheme "${url.protocol}" (expected rtsp:, rtsps:, udp:, http: or https:)`;
  const port = Number(url.port);
  if (!url.port || !Number.isInteger(port) || port < 1 || port > 65535) return "udp source needs a port, e.g. udp://0.0.0.0:1234";
  const host = url.hostname;
  if (!ipv4(host)) return `udp source host must be an IPv4 address, got "${host}"`;
  for (const key of url.searchParams.keys()) {
    if (!["interface", "source", "program"].includes(key)) return `unknown udp source option "${key}" (known: interface, source, program)`;
  }
  const iface = url.searchParams.get("interface") ?? undefined;
  const sourceAddress = url.searchParams.get("source") ?? undefined;
  if (iface !== undefined && !ipv4(iface)) return `interface must be the IPv4 address of a local interface, got "${iface}"`;
  if (sourceAddress !== undefined && !ipv4(sourceAddress)) return `source must be the IPv4 address of the sender, got "${sourceAddress}"`;
  const multicast = isMulticast(host);
  // Joining on "any" interface lets the kernel pick by route; operators mean a specific NIC, so we insist.
  if (multicast && iface === undefined) return `multicast source ${host} needs ?interface=<local address> to join on`;
  if (!multicast && (iface !== undefined || sourceAddress !== undefined)) return "interface and source apply to multicast groups only";
  return { kind: "udp", host, port, multicast, interface: iface, sourceAddress, program };
}

/** The source as it may be shown: credentials in URLs are masked. */
export function maskSource(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = "***";
    return url.href;
  } catch {
    return value;
  }
}
