/**
 * RFC 3640 AAC-hbr cases (sizeLength 13, indexLength 3, indexDeltaLength 3),
 * shared by the decoder test, the encoder test (when `encoded`: the frames
 * given to one packetize() call make exactly these packets) and the round trip.
 */
import { type CaseFrame, type CasePacket, numbered, unit } from "../helpers.ts";

export interface AacCase {
  name: string;
  mtu: number;
  packets: CasePacket[];
  frames: CaseFrame[];
  encoded: boolean;
  dropped?: number;
  lost?: number;
  malformed?: number;
}

const au = (size: number, seed = 0): Uint8Array => unit([0x21, 0x10], size, seed);
/** An AU-header: 13-bit size, 3-bit index 0 (RFC 3640 3.3.6). */
const header = (size: number): number[] => [size >> 5, (size << 3) & 0xff];
const frame = (ts: number, u: Uint8Array): CaseFrame => ({ ts: ts >>> 0, key: true, units: [u] });

function packet(ts: number, marker: boolean, sizes: number[], ...data: Uint8Array[]): Omit<CasePacket, "seq"> {
  const bits = sizes.length * 16;
  const bytes = [bits >> 8, bits & 0xff, ...sizes.flatMap(header)];
  for (const d of data) bytes.push(...d);
  return { ts, marker, payload: Uint8Array.from(bytes) };
}

const BIG = au(20, 5);
const FRAGMENTS = numbered(0, [
  packet(0, false, [20], BIG.subarray(0, 6)),
  packet(0, false, [20], BIG.subarray(6, 12)),
  packet(0, false, [20], BIG.subarray(12, 18)),
  packet(0, true, [20], BIG.subarray(18)),
]);

export const AAC_CASES: AacCase[] = [
  {
    name: "one AU per packet",
    mtu: 14,
    packets: numbered(0, [packet(0, true, [10], au(10))]),
    frames: [frame(0, au(10))],
    encoded: true,
  },
  {
    name: "three AUs in one packet, 1024 samples apart (3.2.1, 3.3.6)",
    mtu: 1200,
    packets: numbered(3, [packet(48000, true, [100, 200, 7], au(100), au(200, 1), au(7, 2))]),
    frames: [frame(48000, au(100)), frame(49024, au(200, 1)), frame(50048, au(7, 2))],
    encoded: true,
  },
  {
    name: "AUs that do not all fit go in several packets with their own timestamps",
    mtu: 1200,
    packets: numbered(0, [packet(0, true, [600, 500], au(600), au(500, 1)), packet(2048, true, [400], au(400, 2))]),
    frames: [frame(0, au(600)), frame(1024, au(500, 1)), frame(2048, au(400, 2))],
    encoded: true,
  },
  {
    name: "an AU larger than a packet is fragmented (3.2.3)",
    mtu: 10,
    packets: FRAGMENTS,
    frames: [frame(0, BIG)],
    encoded: true,
  },
  {
    name: "32-bit timestamp wrap inside a packet",
    mtu: 1200,
    packets: numbered(65535, [packet(0xfffffc00, true, [10, 10], au(10), au(10, 1)), packet(1024, true, [10], au(10, 2))]),
    frames: [frame(0xfffffc00, au(10)), frame(0, au(10, 1)), frame(1024, au(10, 2))],
    encoded: false,
  },
  {
    name: "loss inside a fragmented AU drops it; the next AU is fine",
    mtu: 10,
    packets: [FRAGMENTS[0]!, FRAGMENTS[2]!, FRAGMENTS[3]!, ...numbered(4, [packet(1024, true, [10], au(10))])],
    frames: [frame(1024, au(10))],
    encoded: false,
    dropped: 1,
    lost: 1,
  },
  {
    name: "loss of a first fragment: the rest of that AU is skipped up to its marker",
    mtu: 10,
    packets: [...numbered(0, [packet(0, true, [10], au(10))]), ...FRAGMENTS.slice(2).map((p) => ({ ...p, seq: p.seq + 1, ts: 1024 })), ...numbered(5, [packet(2048, true, [10], au(10, 1))])],
    frames: [frame(0, au(10)), frame(2048, au(10, 1))],
    encoded: false,
    dropped: 1,
    lost: 2,
  },
  {
    name: "duplicate and reordered packets are ignored",
    mtu: 1200,
    packets: [
      ...numbered(0, [packet(0, true, [10], au(10))]),
      ...numbered(0, [packet(0, true, [10], au(10))]),
      ...numbered(2, [packet(2048, true, [10], au(10, 2))]),
      ...numbered(1, [packet(1024, true, [10], au(10, 1))]),
    ],
    frames: [frame(0, au(10)), frame(2048, au(10, 2))],
    encoded: false,
  },
  {
    name: "AU-headers-length overrunning the packet is malformed",
    mtu: 1200,
    packets: numbered(0, [{ ts: 0, marker: true, payload: Uint8Array.of(0x01, 0x00, 0, 0x50) }, packet(1024, true, [10], au(10))]),
    frames: [frame(1024, au(10))],
    encoded: false,
    dropped: 1,
    malformed: 1,
  },
  {
    name: "AU sizes beyond the data are malformed",
    mtu: 1200,
    packets: numbered(0, [packet(0, true, [10, 30], au(10), au(10)), packet(2048, true, [10], au(10))]),
    frames: [frame(2048, au(10))],
    encoded: false,
    dropped: 1,
    malformed: 1,
  },
];
