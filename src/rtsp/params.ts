/**
 * Small tokenizers shared by the RTSP header parsers (Transport, Session,
 * RTP-Info, WWW-Authenticate). RTSP headers follow the HTTP/1.1 grammar
 * (RFC 2326 4.2 refers to RFC 2616 2.2): parameters separated by `;` or `,`,
 * values either tokens or quoted strings with backslash escapes.
 */

/**
 * Splits `value` at every `sep` outside double quotes. Quotes are kept in the
 * parts; an unterminated quote runs to the end (cameras do send those).
 */
export function splitOutsideQuotes(value: string, sep: string): string[] {
  const parts: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (quoted && c === "\\") i++;
    else if (c === '"') quoted = !quoted;
    else if (!quoted && c === sep) {
      parts.push(value.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(value.slice(start));
  return parts;
}

/** Removes surrounding double quotes and backslash escapes (RFC 2616 2.2 quoted-string). */
export function unquote(value: string): string {
  const v = value.trim();
  if (v.length < 2 || v[0] !== '"' || v[v.length - 1] !== '"') return v.replace(/^"/, "");
  return v.slice(1, -1).replace(/\\(.)/g, "$1");
}

/** Quotes a value for a header, escaping `"` and `\` (RFC 2616 2.2). */
export function quote(value: string): string {
  return `"${value.replace(/(["\\])/g, "\\$1")}"`;
}

/** `key=value` (or bare `key`), key lower-cased, value trimmed and unquoted. */
export function splitParam(part: string): { key: string; value: string | undefined } {
  const eq = part.indexOf("=");
  if (eq < 0) return { key: part.trim().toLowerCase(), value: undefined };
  return { key: part.slice(0, eq).trim().toLowerCase(), value: unquote(part.slice(eq + 1)) };
}

/** A decimal integer within [min, max], or undefined; no signs, no fractions, no hex. */
export function parseDecimal(value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (!/^\d{1,16}$/.test(v)) return undefined;
  const n = Number(v);
  return n >= min && n <= max ? n : undefined;
}

/** Header values must not carry CR or LF: that would inject a header (RFC 2616 4.2). */
export function hasLineBreak(value: string): boolean {
  return /[\r\n]/.test(value);
}
