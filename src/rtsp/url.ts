/** `scheme:` at the start makes a control URL absolute (RFC 3986 3.1). */
const ABSOLUTE = /^[A-Za-z][A-Za-z0-9+.-]*:/;
/** scheme://authority, the part an absolute-path control (`/x`) keeps (RFC 3986 5.2.2). */
const ORIGIN = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/;

/**
 * The URL to SETUP or PLAY for a media or session `a=control` (RFC 2326 C.1.1),
 * against `base`: Content-Base, else Content-Location, else the DESCRIBE URL.
 *
 * - missing, empty or `*` (aggregate control) → the base itself;
 * - absolute (`rtsp://…`) → as is;
 * - starting with `/` → the base's scheme and authority plus that path;
 * - otherwise appended to the base with exactly one `/` between them. By
 *   RFC 3986 a base without a trailing slash would lose its last segment, but
 *   cameras mean "append": Hikvision sends Content-Base
 *   `rtsp://cam/Streaming/Channels/101` with `trackID=1`, Dahua a base ending
 *   in a query (`…/realmonitor?channel=1&subtype=0/`) with `trackID=0`, and
 *   they expect `…/101/trackID=1` and `…subtype=0/trackID=0`. ffmpeg, live555
 *   and gortsplib all append.
 */
export function resolveControl(base: string, control: string | undefined): string {
  const c = control?.trim() ?? "";
  if (c === "" || c === "*") return base;
  if (ABSOLUTE.test(c)) return c;
  if (c.startsWith("/")) {
    const origin = ORIGIN.exec(base);
    if (origin) return origin[0] + c;
  }
  return base.endsWith("/") ? base + c : `${base}/${c}`;
}

/** Percent-decoding that keeps the raw text when it is not valid (a `%` in a password typed as is). */
function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Takes `user:password@` out of a URL (it must not go on the wire in request
 * URIs, RFC 2326 3.2 has no userinfo) and percent-decodes both. The userinfo
 * ends at the last `@` before the path: camera passwords often contain an
 * unencoded `@`, which URL parsers reject or split wrongly.
 */
export function stripCredentials(url: string): { url: string; user?: string; password?: string } {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/s.exec(url);
  if (!m) return { url };
  const [, scheme, authority, rest] = m;
  const at = authority.lastIndexOf("@");
  if (at < 0) return { url };
  const userinfo = authority.slice(0, at);
  const host = authority.slice(at + 1);
  const colon = userinfo.indexOf(":");
  const out: { url: string; user?: string; password?: string } = { url: scheme + host + rest };
  if (colon < 0) out.user = decode(userinfo);
  else {
    out.user = decode(userinfo.slice(0, colon));
    out.password = decode(userinfo.slice(colon + 1));
  }
  return out;
}
