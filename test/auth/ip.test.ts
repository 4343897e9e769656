import { describe, expect, test } from "bun:test";
import { ipAllowed, LOOPBACK, parseCidrList, parseIp } from "../../src/auth/ip.ts";

describe("IP ranges", () => {
  test("IPv4, IPv6 and IPv4-mapped addresses", () => {
    const list = parseCidrList(["10.0.0.0/8", "192.168.1.7", "fd00::/8", "2001:db8::1"]);
    const cases: [string, boolean][] = [
      ["10.1.2.3", true],
      ["::ffff:10.1.2.3", true],
      ["11.0.0.1", false],
      ["192.168.1.7", true],
      ["192.168.1.8", false],
      ["fd12::5", true],
      ["fe80::1", false],
      ["2001:db8:0:0:0:0:0:1", true],
      ["[2001:db8::1]", true],
      ["not an ip", false],
      ["999.1.1.1", false],
    ];
    for (const [ip, want] of cases) expect([ip, ipAllowed(list, ip)]).toEqual([ip, want]);
    expect(ipAllowed(LOOPBACK, "127.0.0.1")).toBe(true);
    expect(ipAllowed(LOOPBACK, "::1")).toBe(true);
    expect(ipAllowed(LOOPBACK, "::ffff:127.0.0.1")).toBe(true);
    expect(ipAllowed(LOOPBACK, "192.168.0.1")).toBe(false);
    expect(ipAllowed(parseCidrList(["0.0.0.0/0"]), "8.8.8.8")).toBe(true);
    expect(ipAllowed(parseCidrList(["0.0.0.0/0"]), "2001::1")).toBe(false);
  });

  test("bad ranges are refused with the reason", () => {
    expect(() => parseCidrList(["10.0.0.0/33"])).toThrow(/prefix length/);
    expect(() => parseCidrList(["host.example"])).toThrow(/not an IP/);
    expect(() => parseCidrList(["1:2:3"])).toThrow(/not an IP/);
    expect(parseIp("1::2::3")).toBeUndefined();
  });
});
