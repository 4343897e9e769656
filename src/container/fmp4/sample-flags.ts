/**
 * sample_flags (ISO 14496-12 8.8.3.1): is_leading(2) depends_on(2)
 * is_depended_on(2) has_redundancy(2) padding(3) is_non_sync(1) priority(16).
 */

/** sample_depends_on = 2 (an I picture), a sync sample. */
export const SAMPLE_FLAGS_SYNC = 0x02000000;
/** sample_depends_on = 1 (references others) and sample_is_non_sync_sample = 1. */
export const SAMPLE_FLAGS_NON_SYNC = 0x01010000;

export function isSyncSample(flags: number): boolean {
  return (flags & 0x00010000) === 0;
}
