/** Bytes in front of each interleaved payload: `$`, channel, 16-bit length (RFC 2326 10.12). */
export const INTERLEAVED_HEADER = 4;

/** Writes the 4-byte header of an interleaved frame of `length` payload bytes at `offset`. */
export function writeInterleavedHeader(out: Uint8Array, offset: number, channel: number, length: number): void {
  out[offset] = 0x24;
  out[offset + 1] = channel;
  out[offset + 2] = length >> 8;
  out[offset + 3] = length & 0xff;
}

/** `$`, channel, 16-bit length, payload: RTP or RTCP on the RTSP connection (RFC 2326 10.12). */
export function interleavedFrame(channel: number, payload: Uint8Array): Uint8Array {
  const frame = new Uint8Array(INTERLEAVED_HEADER + payload.byteLength);
  writeInterleavedHeader(frame, 0, channel, payload.byteLength);
  frame.set(payload, INTERLEAVED_HEADER);
  return frame;
}
