/**
 * H.264 RTP cases (RFC 6184), shared by the decoder test (packets → frames),
 * the encoder test (frames → the same packets, when `encoded`) and the
 * round trip (frames → packets → frames).
 */
import { type CaseFrame, type CasePacket, hex, numbered, unit } from "../helpers.ts";

export interface H264Case {
  name: string;
  /** Packetizer payload size for encoder cases. */
  mtu: number;
  packets: CasePacket[];
  frames: CaseFrame[];
  /** The packetizer makes exactly `packets` from `frames`. */
  encoded: boolean;
  dropped?: number;
  lost?: number;
  malformed?: number;
}

const SPS = hex("6742c00dd90141fb011000000300100000030320f142a480");
const PPS = hex("68ce3c80");
const AUD = hex("09f0");
const idr = (size: number, seed = 0): Uint8Array => unit([0x65, 0x88], size, seed);
const p = (size: number, seed = 0): Uint8Array => unit([0x41, 0x9a], size, seed);
const key = (ts: number, ...units: Uint8Array[]): CaseFrame => ({ ts, key: true, units });
const delta = (ts: number, ...units: Uint8Array[]): CaseFrame => ({ ts, key: false, units });
const single = (ts: number, marker: boolean, nal: Uint8Array): Omit<CasePacket, "seq"> => ({ ts, marker, payload: nal });

/** FU-A packets of `nal` with `chunk` bytes of body each (RFC 6184 5.8), as literal bytes. */
function fuA(ts: number, nal: Uint8Array, chunk: number, lastMarker = true): Omit<CasePacket, "seq">[] {
  const out: Omit<CasePacket, "seq">[] = [];
  const body = nal.subarray(1);
  for (let at = 0; at < body.length; at += chunk) {
    const end = at + chunk >= body.length;
    const header = (at === 0 ? 0x80 : 0) | (end ? 0x40 : 0) | (nal[0]! & 0x1f);
    out.push({ ts, marker: end && lastMarker, payload: Uint8Array.from([(nal[0]! & 0xe0) | 28, header, ...body.subarray(at, at + chunk)]) });
  }
  return out;
}

const IDR10 = idr(10);
const FU_IDR = numbered(0, fuA(0, IDR10, 4));

export const H264_CASES: H264Case[] = [
  {
    name: "single NAL unit packets",
    mtu: 12,
    packets: numbered(0, [single(0, true, idr(10)), single(3000, true, p(12))]),
    frames: [key(0, idr(10)), delta(3000, p(12))],
    encoded: true,
  },
  {
    name: "STAP-A with SPS, PPS and IDR (5.7.1)",
    mtu: 41,
    packets: numbered(7, [
      { ts: 90000, marker: true, payload: Uint8Array.from([0x78, 0, SPS.length, ...SPS, 0, 4, ...PPS, 0, 6, ...idr(6)]) },
    ]),
    frames: [key(90000, SPS, PPS, idr(6))],
    encoded: true,
  },
  {
    name: "FU-A start, middle, end (5.8)",
    mtu: 6,
    packets: FU_IDR,
    frames: [key(0, IDR10)],
    encoded: true,
  },
  {
    name: "FU-A literal bytes",
    mtu: 6,
    packets: numbered(0, [
      { ts: 0, marker: false, payload: hex("7c85 880f 161d") },
      { ts: 0, marker: false, payload: hex("7c05 242b 3239") },
      { ts: 0, marker: true, payload: hex("7c45 40") },
    ]),
    frames: [key(0, hex("65880f161d242b323940"))],
    encoded: true,
  },
  {
    name: "STAP-A, FU-A and single NAL in one access unit",
    mtu: 16,
    packets: numbered(100, [
      { ts: 5, marker: false, payload: Uint8Array.from([0x78, 0, 4, ...PPS, 0, 5, ...idr(5, 1)]) },
      ...fuA(5, idr(30, 2), 14, false),
      single(5, true, idr(16, 3)),
    ]),
    frames: [key(5, PPS, idr(5, 1), idr(30, 2), idr(16, 3))],
    encoded: true,
  },
  {
    name: "unit of exactly the MTU goes single, one more byte goes FU-A",
    mtu: 1200,
    packets: numbered(0, [single(0, false, idr(1200)), ...fuA(0, idr(1201, 1), 1198)]),
    frames: [key(0, idr(1200), idr(1201, 1))],
    encoded: true,
  },
  {
    name: "STAP-A of exactly the MTU",
    mtu: 1200,
    packets: numbered(0, [{ ts: 0, marker: true, payload: Uint8Array.from([0x78, 0x02, 0x56, ...idr(598), 0x02, 0x55, ...idr(597, 1)]) }]),
    frames: [key(0, idr(598), idr(597, 1))],
    encoded: true,
  },
  {
    name: "16-bit sequence wrap",
    mtu: 1200,
    packets: numbered(65534, [single(0, true, idr(20)), single(3000, true, p(20)), single(6000, true, p(20, 1)), single(9000, true, p(20, 2))]),
    frames: [key(0, idr(20)), delta(3000, p(20)), delta(6000, p(20, 1)), delta(9000, p(20, 2))],
    encoded: true,
  },
  {
    name: "32-bit timestamp wrap: timestamps as received",
    mtu: 1200,
    packets: numbered(0, [single(0xffffe890, true, idr(20)), single(0xfffff448, true, p(20)), single(0, true, p(20, 1)), single(3000, true, p(20, 2))]),
    frames: [key(0xffffe890, idr(20)), delta(0xfffff448, p(20)), delta(0, p(20, 1)), delta(3000, p(20, 2))],
    encoded: true,
  },
  {
    name: "AUD dropped",
    mtu: 1200,
    packets: numbered(0, [single(0, false, AUD), single(0, true, idr(20))]),
    frames: [key(0, idr(20))],
    encoded: false,
  },
  {
    name: "frames before the first keyframe are dropped",
    mtu: 1200,
    packets: numbered(0, [single(0, true, p(20)), single(3000, true, idr(20))]),
    frames: [key(3000, idr(20))],
    encoded: false,
    dropped: 1,
  },
  {
    name: "parameter sets sent alone pass while waiting for a keyframe",
    mtu: 1200,
    packets: numbered(0, [single(0, false, SPS), single(0, true, PPS), single(3000, true, idr(20))]),
    frames: [delta(0, SPS, PPS), key(3000, idr(20))],
    encoded: false,
  },
  {
    name: "no marker bit: a timestamp change ends the frame",
    mtu: 1200,
    packets: numbered(0, [single(0, false, idr(20)), single(0, false, idr(20, 1)), single(3000, false, p(20)), single(6000, false, p(20, 1))]),
    frames: [key(0, idr(20), idr(20, 1)), delta(3000, p(20))],
    encoded: false,
  },
  {
    name: "loss in the middle of FU-A drops the frame and the rest of the GOP, then recovers on IDR",
    mtu: 6,
    packets: [FU_IDR[0]!, FU_IDR[2]!, ...numbered(3, [single(3000, true, p(20)), single(6000, true, p(20, 1)), single(9000, true, idr(20, 2)), single(12000, true, p(20, 3))])],
    frames: [key(9000, idr(20, 2)), delta(12000, p(20, 3))],
    encoded: false,
    dropped: 3,
    lost: 1,
  },
  {
    name: "loss of a whole frame's only packet: next frames wait for IDR",
    mtu: 1200,
    packets: [...numbered(0, [single(0, true, idr(20)), single(3000, true, p(20))]), ...numbered(3, [single(6000, true, p(20, 1)), single(9000, true, idr(20, 1))])],
    frames: [key(0, idr(20)), delta(3000, p(20)), key(9000, idr(20, 1))],
    encoded: false,
    dropped: 1,
    lost: 1,
  },
  {
    name: "reordered packet: its gap already damaged the frame, the late packet is ignored",
    mtu: 6,
    packets: [FU_IDR[0]!, FU_IDR[2]!, FU_IDR[1]!, ...numbered(3, [single(3000, true, idr(20))])],
    frames: [key(3000, idr(20))],
    encoded: false,
    dropped: 1,
    lost: 0,
  },
  {
    name: "duplicate packets are ignored",
    mtu: 6,
    packets: [FU_IDR[0]!, FU_IDR[0]!, FU_IDR[1]!, FU_IDR[2]!, FU_IDR[2]!],
    frames: [key(0, IDR10)],
    encoded: false,
  },
  {
    name: "FU-A without its end fragment, then a new timestamp: malformed, dropped",
    mtu: 6,
    packets: [FU_IDR[0]!, FU_IDR[1]!, ...numbered(2, [single(3000, true, idr(20))])],
    frames: [key(3000, idr(20))],
    encoded: false,
    dropped: 1,
    malformed: 1,
  },
  {
    name: "FU-A end without start: malformed",
    mtu: 6,
    packets: [...numbered(0, [FU_IDR[2]!]), ...numbered(1, [single(3000, true, idr(20))])],
    frames: [key(3000, idr(20))],
    encoded: false,
    dropped: 1,
    malformed: 1,
  },
  {
    name: "truncated STAP-A: malformed",
    mtu: 1200,
    packets: numbered(0, [{ ts: 0, marker: true, payload: hex("78 0004 68ce3c80 0010 6588") }, single(3000, true, idr(20))]),
    frames: [key(3000, idr(20))],
    encoded: false,
    dropped: 1,
    malformed: 1,
  },
  {
    name: "interleaved-mode types are malformed (5.2)",
    mtu: 1200,
    packets: numbered(0, [{ ts: 0, marker: true, payload: hex("1a 0000 0004 6588 0102") }, single(3000, true, idr(20))]),
    frames: [key(3000, idr(20))],
    encoded: false,
    dropped: 1,
    malformed: 1,
  },
];
