import { describe, expect, test } from "bun:test";
import { ParseError } from "../../src/core/errors.ts";
import { parseRtpPacket, type RtpPacket, writeRtpPacket } from "../../src/rtp/packet.ts";
import { hex } from "./helpers.ts";

/** Each case is a packet's bytes and what RFC 3550 5.1 makes of them. */
const CASES: { name: string; bytes: string; packet: RtpPacket; written?: boolean }[] = [
  {
    name: "plain header",
    bytes: "80e0 1234 deadbeef 01020304 6588",
    packet: { marker: true, payloadType: 96, sequence: 0x1234, timestamp: 0xdeadbeef, ssrc: 0x01020304, payload: hex("6588") },
    written: true,
  },
  {
    name: "two CSRCs skipped",
    bytes: "8260 0001 00000002 00000003 aaaaaaaa bbbbbbbb 0102",
    packet: { marker: false, payloadType: 96, sequence: 1, timestamp: 2, ssrc: 3, payload: hex("0102") },
  },
  {
    name: "header extension skipped (5.3.1)",
    bytes: "9060 0001 00000002 00000003 bede0001 11223344 0506",
    packet: { marker: false, payloadType: 96, sequence: 1, timestamp: 2, ssrc: 3, payload: hex("0506") },
  },
  {
    name: "padding removed",
    bytes: "a060 0001 00000002 00000003 0708 000003",
    packet: { marker: false, payloadType: 96, sequence: 1, timestamp: 2, ssrc: 3, payload: hex("0708") },
  },
  {
    name: "empty payload",
    bytes: "8008 ffff ffffffff ffffffff",
    packet: { marker: false, payloadType: 8, sequence: 0xffff, timestamp: 0xffffffff, ssrc: 0xffffffff, payload: new Uint8Array(0) },
    written: true,
  },
];

const BAD: { name: string; bytes: string; message: RegExp }[] = [
  { name: "short packet", bytes: "8060 0001 0000", message: /shorter than the 12-byte header/ },
  { name: "version 1", bytes: "4060 0001 00000002 00000003", message: /version 1, expected 2/ },
  { name: "CSRCs past the end", bytes: "8f60 0001 00000002 00000003 00000004", message: /CSRCs do not fit/ },
  { name: "extension header cut", bytes: "9060 0001 00000002 00000003 bede", message: /extension truncated/ },
  { name: "extension longer than the packet", bytes: "9060 0001 00000002 00000003 bede0002 11223344", message: /overruns/ },
  { name: "padding count 0", bytes: "a060 0001 00000002 00000003 0100", message: /padding/ },
  { name: "padding longer than the payload", bytes: "a060 0001 00000002 00000003 0105", message: /padding/ },
];

describe("parseRtpPacket / writeRtpPacket", () => {
  for (const c of CASES) {
    test(c.name, () => {
      const p = parseRtpPacket(hex(c.bytes));
      expect({ ...p, payload: [...p.payload] }).toEqual({ ...c.packet, payload: [...c.packet.payload] });
      if (c.written) expect(writeRtpPacket(c.packet)).toEqual(hex(c.bytes));
    });
  }

  for (const c of BAD) {
    test(`ParseError: ${c.name}`, () => {
      expect(() => parseRtpPacket(hex(c.bytes))).toThrow(ParseError);
      expect(() => parseRtpPacket(hex(c.bytes))).toThrow(c.message);
    });
  }

  test("payload is a view, not a copy", () => {
    const buf = hex("8060 0001 00000002 00000003 0102");
    expect(parseRtpPacket(buf).payload.buffer).toBe(buf.buffer);
  });
});
