/**
 * H.265 RTP cases (RFC 7798), shared by the decoder test, the encoder test
 * (when `encoded`) and the round trip.
 */
import { type CaseFrame, type CasePacket, hex, numbered, unit } from "../helpers.ts";

export interface H265Case {
  name: string;
  mtu: number;
  packets: CasePacket[];
  frames: CaseFrame[];
  encoded: boolean;
  dropped?: number;
  lost?: number;
  malformed?: number;
}

const VPS = hex("40010c01ffff016000000300900000030000030078959809");
const SPS = hex("420101016000000300900000030000030078a003c08010e596566924caf0168080000003008000000c84");
const PPS = hex("4401c172b46240");
const AUD = hex("460150");
const idr = (size: number, seed = 0): Uint8Array => unit([0x26, 0x01, 0xaf], size, seed);
const cra = (size: number, seed = 0): Uint8Array => unit([0x2a, 0x01, 0xaf], size, seed);
const rasl = (size: number, seed = 0): Uint8Array => unit([0x12, 0x01, 0xd0], size, seed);
const trail = (size: number, seed = 0): Uint8Array => unit([0x02, 0x01, 0xd0], size, seed);
const key = (ts: number, ...units: Uint8Array[]): CaseFrame => ({ ts, key: true, units });
const delta = (ts: number, ...units: Uint8Array[]): CaseFrame => ({ ts, key: false, units });
const single = (ts: number, marker: boolean, nal: Uint8Array): Omit<CasePacket, "seq"> => ({ ts, marker, payload: nal });
const sized = (u: Uint8Array): number[] => [u.length >> 8, u.length & 0xff, ...u];

/** FU packets of `nal` (RFC 7798 4.4.3), `chunk` body bytes each. */
function fu(ts: number, nal: Uint8Array, chunk: number, lastMarker = true): Omit<CasePacket, "seq">[] {
  const out: Omit<CasePacket, "seq">[] = [];
  const body = nal.subarray(2);
  const type = (nal[0]! >> 1) & 0x3f;
  for (let at = 0; at < body.length; at += chunk) {
    const end = at + chunk >= body.length;
    const header = (at === 0 ? 0x80 : 0) | (end ? 0x40 : 0) | type;
    out.push({ ts, marker: end && lastMarker, payload: Uint8Array.from([(nal[0]! & 0x81) | (49 << 1), nal[1]!, header, ...body.subarray(at, at + chunk)]) });
  }
  return out;
}

const IDR12 = idr(12);
const FU_IDR = numbered(0, fu(0, IDR12, 4));

export const H265_CASES: H265Case[] = [
  {
    name: "single NAL unit packets (4.4.1)",
    mtu: 20,
    packets: numbered(0, [single(0, true, idr(20)), single(3000, true, trail(20))]),
    frames: [key(0, idr(20)), delta(3000, trail(20))],
    encoded: true,
  },
  {
    name: "AP with VPS, SPS, PPS (4.4.2)",
    mtu: 1200,
    packets: numbered(9, [{ ts: 0, marker: true, payload: Uint8Array.from([0x60, 0x01, ...sized(VPS), ...sized(SPS), ...sized(PPS), ...sized(idr(30))]) }]),
    frames: [key(0, VPS, SPS, PPS, idr(30))],
    encoded: true,
  },
  {
    name: "FU start, middle, end (4.4.3)",
    mtu: 7,
    packets: FU_IDR,
    frames: [key(0, IDR12)],
    encoded: true,
  },
  {
    name: "FU literal bytes",
    mtu: 7,
    packets: numbered(0, [
      { ts: 0, marker: false, payload: hex("6201 93 af16 1d24") },
      { ts: 0, marker: false, payload: hex("6201 13 2b32 3940") },
      { ts: 0, marker: true, payload: hex("6201 53 474e") },
    ]),
    frames: [key(0, hex("2601af161d242b323940474e"))],
    encoded: true,
  },
  {
    name: "CRA is a keyframe (IRAP)",
    mtu: 1200,
    packets: numbered(0, [single(0, true, cra(40)), single(3000, true, trail(40))]),
    frames: [key(0, cra(40)), delta(3000, trail(40))],
    encoded: true,
  },
  {
    name: "unit of exactly the MTU goes single, one more byte goes FU",
    mtu: 1200,
    packets: numbered(0, [single(0, false, idr(1200)), ...fu(0, idr(1201, 1), 1197)]),
    frames: [key(0, idr(1200), idr(1201, 1))],
    encoded: true,
  },
  {
    name: "16-bit sequence and 32-bit timestamp wrap",
    mtu: 1200,
    packets: numbered(65535, [single(0xfffffc18, true, idr(20)), single(2000, true, trail(20))]),
    frames: [key(0xfffffc18, idr(20)), delta(2000, trail(20))],
    encoded: true,
  },
  {
    name: "starting at a CRA: its RASL pictures are dropped (H.265 8.1.3), trailing pictures pass",
    mtu: 1200,
    packets: numbered(0, [single(9000, true, cra(20)), single(3000, true, rasl(20)), single(6000, true, rasl(20, 1)), single(12000, true, trail(20))]),
    frames: [key(9000, cra(20)), delta(12000, trail(20))],
    encoded: false,
    dropped: 2,
  },
  {
    name: "AUD dropped",
    mtu: 1200,
    packets: numbered(0, [single(0, false, AUD), single(0, true, idr(20))]),
    frames: [key(0, idr(20))],
    encoded: false,
  },
  {
    name: "loss in the middle of FU: dropped until the next IRAP",
    mtu: 7,
    packets: [FU_IDR[0]!, FU_IDR[2]!, ...numbered(3, [single(3000, true, trail(20)), single(6000, true, idr(20, 1))])],
    frames: [key(6000, idr(20, 1))],
    encoded: false,
    dropped: 2,
    lost: 1,
  },
  {
    name: "reordered and duplicate packets",
    mtu: 7,
    packets: [FU_IDR[0]!, FU_IDR[0]!, FU_IDR[2]!, FU_IDR[1]!, ...numbered(3, [single(3000, true, idr(20))])],
    frames: [key(3000, idr(20))],
    encoded: false,
    dropped: 1,
  },
  {
    name: "PACI is malformed for us (4.4.4)",
    mtu: 1200,
    packets: numbered(0, [{ ts: 0, marker: true, payload: hex("6401 0000 2601af") }, single(3000, true, idr(20))]),
    frames: [key(3000, idr(20))],
    encoded: false,
    dropped: 1,
    malformed: 1,
  },
  {
    name: "AP with a unit shorter than its header",
    mtu: 1200,
    packets: numbered(0, [{ ts: 0, marker: true, payload: hex("6001 0001 26") }, single(3000, true, idr(20))]),
    frames: [key(3000, idr(20))],
    encoded: false,
    dropped: 1,
    malformed: 1,
  },
];
