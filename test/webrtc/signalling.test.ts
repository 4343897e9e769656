import { describe, expect, test } from "bun:test";
import { ParseError } from "../../src/core/errors.ts";
import { iceServerLinks } from "../../src/webrtc/ice-links.ts";
import { parseIceFragment } from "../../src/webrtc/trickle.ts";

describe("parseIceFragment (RFC 8840 as RFC 9725 4.3.1 uses it)", () => {
  test("credentials, candidates per mid, end of candidates", () => {
    const f = parseIceFragment(
      [
        "a=ice-options:trickle ice2",
        "a=group:BUNDLE 0 1",
        "m=video 9 UDP/TLS/RTP/SAVPF 0",
        "a=mid:0",
        "a=ice-ufrag:EsAw",
        "a=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1",
        "a=candidate:1387637174 1 udp 2122260223 192.0.2.1 61764 typ host generation 0 ufrag EsAw network-id 1",
        "a=candidate:3471623853 1 udp 2122194687 198.51.100.2 61765 typ host generation 0 ufrag EsAw network-id 2",
        "a=end-of-candidates",
        "",
      ].join("\r\n"),
    );
    expect(f.ufrag).toBe("EsAw");
    expect(f.pwd).toBe("P2uYro0UCOQ4zxjKXaWCBui1");
    expect(f.candidates.map((c) => [c.mid, c.candidate.split(" ")[4]])).toEqual([
      ["0", "192.0.2.1"],
      ["0", "198.51.100.2"],
    ]);
    expect(f.endOfCandidates).toBe(true);
  });

  test("garbage and malformed candidates are refused with the line", () => {
    expect(() => parseIceFragment("hello world")).toThrow(ParseError);
    expect(() => parseIceFragment("a=candidate:1 1 udp notanumber 1.2.3.4 5 typ host")).toThrow(/malformed candidate/);
  });
});

test("ICE servers become Link headers (RFC 9725 4.6), credentials quoted", () => {
  expect(
    iceServerLinks([
      { urls: "stun:stun.example.net" },
      { urls: ["turn:turn.example.net?transport=udp", "turns:turn.example.net"], username: "user", credential: 'pa"ss' },
    ]),
  ).toEqual([
    '<stun:stun.example.net>; rel="ice-server"',
    '<turn:turn.example.net?transport=udp>; rel="ice-server"; username="user"; credential="pa\\"ss"; credential-type="password"',
    '<turns:turn.example.net>; rel="ice-server"; username="user"; credential="pa\\"ss"; credential-type="password"',
  ]);
});
