/** Values from ISO/IEC 13818-1 (MPEG-2 Systems). */

/** Transport packet size and sync byte (2.4.3.2). */
export const TS_PACKET_SIZE = 188;
export const TS_SYNC_BYTE = 0x47;
/** Header bytes before the adaptation field or payload (2.4.3.2). */
export const TS_HEADER_SIZE = 4;
export const TS_PAYLOAD_SIZE = TS_PACKET_SIZE - TS_HEADER_SIZE;

/** Reserved PIDs (Table 2-3). */
export const PID_PAT = 0x0000;
export const PID_NULL = 0x1fff;

/** table_id values (Table 2-31). */
export const TABLE_ID_PAT = 0x00;
export const TABLE_ID_PMT = 0x02;

/** stream_type values (Table 2-34) for the codecs we carry. */
export const STREAM_TYPE = {
  AAC_ADTS: 0x0f,
  H264: 0x1b,
  H265: 0x24,
} as const;

/** Timestamps are 33-bit counts of a 90 kHz clock (2.4.3.7). */
export const TS_CLOCK_RATE = 90000;
export const PTS_MODULO = 2 ** 33;
