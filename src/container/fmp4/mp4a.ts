import { box, fullBox, type Box } from "./box.ts";
import type { ByteWriter } from "./byte-writer.ts";

/** Descriptor tags (ISO 14496-1 7.2.2.1, Table 1). */
const ES_DESCRIPTOR_TAG = 0x03;
const DECODER_CONFIG_TAG = 0x04;
const DECODER_SPECIFIC_INFO_TAG = 0x05;
const SL_CONFIG_TAG = 0x06;
/** objectTypeIndication "Audio ISO/IEC 14496-3" (ISO 14496-1 Table 5). */
const OBJECT_TYPE_MPEG4_AUDIO = 0x40;
/** streamType 5 (AudioStream, Table 6) << 2, upStream 0, reserved 1. */
const STREAM_TYPE_AUDIO = (0x05 << 2) | 1;
/** SLConfigDescriptor predefined = 2: "reserved for use in MP4 files" (ISO 14496-14 3.1.2). */
const SL_PREDEFINED_MP4 = 0x02;
/** 16-bit samples: the value AudioSampleEntry carries for compressed audio (ISO 14496-12 12.2.3). */
const SAMPLE_SIZE_BITS = 16;
/** samplerate is 16.16 fixed point; rates above this are written as 0 (the AudioSpecificConfig has the real one). */
const MAX_FIXED_RATE = 0xffff;

/** Bytes of an expandable size field (ISO 14496-1 8.3.3): 7 bits per byte. */
function lengthSize(n: number): number {
  let bytes = 1;
  while (n >= 2 ** (7 * bytes)) bytes++;
  return bytes;
}

function writeLength(w: ByteWriter, n: number): void {
  for (let i = lengthSize(n) - 1; i >= 0; i--) w.u8((i > 0 ? 0x80 : 0) | (Math.floor(n / 2 ** (7 * i)) & 0x7f));
}

/** Full size of a descriptor whose payload is `payload` bytes. */
const descriptorSize = (payload: number): number => 1 + lengthSize(payload) + payload;

/** ESDBox (ISO 14496-14 5.6) holding an ES_Descriptor with the AudioSpecificConfig. */
export function esds(audioSpecificConfig: Uint8Array, esId = 0): Box {
  const dsi = audioSpecificConfig.length;
  const decoderConfig = 13 + descriptorSize(dsi);
  const sl = 1;
  const es = 3 + descriptorSize(decoderConfig) + descriptorSize(sl);
  return fullBox("esds", 0, 0, descriptorSize(es), (w) => {
    w.u8(ES_DESCRIPTOR_TAG);
    writeLength(w, es);
    w.u16(esId);
    w.u8(0); // no dependsOn, URL or OCR stream; priority 0
    w.u8(DECODER_CONFIG_TAG);
    writeLength(w, decoderConfig);
    w.u8(OBJECT_TYPE_MPEG4_AUDIO);
    w.u8(STREAM_TYPE_AUDIO);
    w.u24(0); // bufferSizeDB: unknown
    w.u32(0); // maxBitrate: unknown
    w.u32(0); // avgBitrate: variable
    w.u8(DECODER_SPECIFIC_INFO_TAG);
    writeLength(w, dsi);
    w.bytes(audioSpecificConfig);
    w.u8(SL_CONFIG_TAG);
    writeLength(w, sl);
    w.u8(SL_PREDEFINED_MP4);
  });
}

/** AudioSampleEntry 'mp4a' (ISO 14496-12 12.2.3, ISO 14496-14 5.6). */
export function mp4a(channels: number, sampleRate: number, audioSpecificConfig: Uint8Array): Box {
  return box(
    "mp4a",
    28,
    (w) => {
      w.zeros(6); // reserved
      w.u16(1); // data_reference_index
      w.zeros(8); // reserved
      w.u16(channels);
      w.u16(SAMPLE_SIZE_BITS);
      w.u16(0); // pre_defined
      w.u16(0); // reserved
      w.u32(sampleRate <= MAX_FIXED_RATE ? sampleRate * 0x10000 : 0);
    },
    [esds(audioSpecificConfig)],
  );
}
