/** `$`, channel, 16-bit length, payload: RTP or RTCP on the RTSP connection (RFC 2326 10.12). */
export function interleavedFrame(channel: number, payload: Uint8Array): Uint8Array {
  const frame = new Uint8Array(4 + payload.byteLength);
  frame[0] = 0x24;
  frame[1] = channel;
  frame[2] = payload.byteLength >> 8;
  frame[3] = payload.byteLength & 0xff;
  frame.set(payload, 4);
  return frame;
}
