/**
 * sprop-parameter-sets (RFC 6184 8.1): base64 parameter set NAL units,
 * comma separated. Also right for H.265's sprop-vps/sps/pps (RFC 7798 7.1).
 * Cameras put spaces and line breaks in it and sometimes a broken entry;
 * those entries are skipped, since in-band parameter sets can still arrive.
 */
export function parseSpropParameterSets(value: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const entry of value.split(",")) {
    const b64 = entry.replace(/\s+/g, "");
    if (b64 === "") continue;
    const nal = decodeBase64(b64);
    if (nal !== undefined && nal.length > 0) out.push(nal);
  }
  return out;
}

/** Standard or URL-safe base64, padding optional; undefined when not base64. */
function decodeBase64(s: string): Uint8Array | undefined {
  const std = s.replace(/-/g, "+").replace(/_/g, "/").replace(/=+$/, "");
  if (!/^[A-Za-z0-9+/]*$/.test(std) || std.length % 4 === 1) return undefined;
  const bin = atob(std + "=".repeat((4 - (std.length % 4)) % 4));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
