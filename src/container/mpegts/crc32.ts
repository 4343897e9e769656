/**
 * CRC-32/MPEG-2 of PSI sections (ISO/IEC 13818-1 Annex A): polynomial
 * 0x04C11DB7, initial value 0xFFFFFFFF, MSB first, no final XOR. Running it
 * over a whole section including its CRC_32 field yields 0.
 */
const TABLE: Uint32Array = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 24;
    for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
    t[i] = c >>> 0;
  }
  return t;
})();

export function crc32Mpeg2(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = ((crc << 8) ^ TABLE[((crc >>> 24) ^ data[i]!) & 0xff]!) >>> 0;
  return crc >>> 0;
}
