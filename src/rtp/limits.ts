/**
 * Bounds on what a sender can make a depacketizer hold. A frame or NAL unit
 * past a bound is dropped and counted, never grown further (DESIGN.md,
 * backpressure rule 1).
 */

/**
 * Largest NAL unit rebuilt from fragments (RFC 6184 5.8 FU-A, RFC 7798 4.4.3 FU).
 * A 2160p IDR from a camera at 50 Mbit/s measures ~1–2 MB; 4 MiB leaves twice
 * that and still bounds what a stuck FU (no end bit, ever) can pin in memory.
 */
export const MAX_FRAGMENTED_NAL_SIZE = 4 * 1024 * 1024;

/**
 * Largest access unit, all its NAL units together. mediacommon (bluenviron)
 * settled on 8 MiB after 2160p60 at 50 Mbit/s streams never exceeded it.
 */
export const MAX_ACCESS_UNIT_SIZE = 8 * 1024 * 1024;

/**
 * Most NAL units in one access unit. Cameras that slice per macroblock row
 * send 68 slices at 1080p (1088 / 16) plus SEI and parameter sets; 1024
 * leaves room for 4K row slicing and stops a flood of tiny units.
 */
export const MAX_UNITS_PER_ACCESS_UNIT = 1024;
