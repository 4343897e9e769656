import { writeTimestamp } from "./timestamp.ts";

/** '10' marker bits, and data_alignment_indicator (the PES starts with an access unit), 2.4.3.7. */
const FLAGS1 = 0x84;
const PTS_ONLY = 0x80;
const PTS_AND_DTS = 0xc0;
/** PES_packet_length is 16 bits; 0 (unbounded) is only allowed for video (2.4.3.7). */
const MAX_PES_PACKET_LENGTH = 0xffff;

/** Builds a PES header for `payloadLength` bytes of data; `bounded` writes a real PES_packet_length. */
export function buildPesHeader(streamId: number, pts90k: number, dts90k: number, payloadLength: number, bounded: boolean): Uint8Array {
  const withDts = pts90k !== dts90k;
  const dataLength = withDts ? 10 : 5;
  const h = new Uint8Array(9 + dataLength);
  const length = 3 + dataLength + payloadLength;
  const packetLength = bounded && length <= MAX_PES_PACKET_LENGTH ? length : 0;
  // packet_start_code_prefix 0x000001 (h[0..1] stay 0), stream_id, PES_packet_length, flags, PES_header_data_length.
  h[2] = 1;
  h[3] = streamId;
  h[4] = packetLength >> 8;
  h[5] = packetLength & 0xff;
  h[6] = FLAGS1;
  h[7] = withDts ? PTS_AND_DTS : PTS_ONLY;
  h[8] = dataLength;
  writeTimestamp(h, 9, withDts ? 0b0011 : 0b0010, pts90k);
  if (withDts) writeTimestamp(h, 14, 0b0001, dts90k);
  return h;
}
