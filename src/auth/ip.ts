/** Parsed address ranges: IPv4 as IPv4-mapped IPv6, so one comparison serves both. */
export type CidrList = readonly { readonly base: bigint; readonly bits: number }[];

const V4_MAPPED = 0xffffn << 32n;

/** An address as a 128-bit number (IPv4 mapped into ::ffff:0:0/96), or undefined when it is not one. */
export function parseIp(text: string): bigint | undefined {
  const ip = text.trim().replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (v4) {
    const parts = v4.slice(1).map(Number);
    if (parts.some((p) => p > 255)) return undefined;
    return V4_MAPPED | BigInt(((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!);
  }
  if (!ip.includes(":")) return undefined;
  // A trailing dotted quad (::ffff:1.2.3.4) becomes two groups.
  let head = ip;
  let tail: bigint | undefined;
  const dotted = /^(.*:)(\d{1,3}(?:\.\d{1,3}){3})$/.exec(ip);
  if (dotted) {
    const v4part = parseIp(dotted[2]!);
    if (v4part === undefined) return undefined;
    tail = v4part & 0xffffffffn;
    head = `${dotted[1]}0:0`;
  }
  const halves = head.split("::");
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s === "" ? [] : s.split(":"));
  const left = groups(halves[0]!);
  const right = halves.length === 2 ? groups(halves[1]!) : [];
  const missing = 8 - left.length - right.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...right];
  let value = 0n;
  for (const g of all) {
    if (!/^[0-9a-f]{1,4}$/i.test(g)) return undefined;
    value = (value << 16n) | BigInt(parseInt(g, 16));
  }
  return tail === undefined ? value : (value & ~0xffffffffn) | tail;
}

/** `10.0.0.0/8`, `::1`, `fd00::/8`, `192.168.1.7`; throws with the reason for anything else. */
export function parseCidrList(entries: readonly string[]): CidrList {
  return entries.map((entry) => {
    const [addr, len] = entry.split("/");
    const base = parseIp(addr ?? "");
    if (base === undefined) throw new Error(`"${entry}" is not an IP address or range`);
    const isV4 = /^\d/.test(addr!.trim());
    const max = isV4 ? 32 : 128;
    const n = len === undefined ? max : Number(len);
    if (!Number.isInteger(n) || n < 0 || n > max) throw new Error(`"${entry}": prefix length must be 0 to ${max}`);
    const bits = isV4 ? n + 96 : n;
    const mask = bits === 0 ? 0n : ((1n << BigInt(bits)) - 1n) << BigInt(128 - bits);
    return { base: base & mask, bits };
  });
}

export function ipAllowed(list: CidrList, ip: string): boolean {
  const v = parseIp(ip);
  if (v === undefined) return false;
  return list.some(({ base, bits }) => {
    const mask = bits === 0 ? 0n : ((1n << BigInt(bits)) - 1n) << BigInt(128 - bits);
    return (v & mask) === base;
  });
}

export const LOOPBACK: CidrList = parseCidrList(["127.0.0.0/8", "::1"]);
