import { ParseError } from "../core/errors.ts";

/** A trickle-ice-sdpfrag body (RFC 8840 9, as WHIP/WHEP use it: RFC 9725 4.3.1). */
export interface IceFragment {
  ufrag: string | undefined;
  pwd: string | undefined;
  candidates: { mid: string | undefined; candidate: string }[];
  endOfCandidates: boolean;
}

/** A fragment carries a handful of candidates; a big one is a mistake or an attack. */
export const MAX_FRAGMENT_BYTES = 16 << 10;
/** `a=candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type> ...` (RFC 8839 5.1). */
const CANDIDATE = /^candidate:\S{1,32} \d{1,3} \S{1,8} \d{1,10} \S{1,255} \d{1,5} typ \S{1,8}( .*)?$/;

/** Reads the fragment; lines other than ICE ones (a=group, m=, a=ice-options) are allowed and ignored. */
export function parseIceFragment(body: string): IceFragment {
  const out: IceFragment = { ufrag: undefined, pwd: undefined, candidates: [], endOfCandidates: false };
  let mid: string | undefined;
  for (const raw of body.split(/\r\n|\n/)) {
    const line = raw.trim();
    if (line === "") continue;
    if (!/^[a-z]=/.test(line)) throw new ParseError(`not an SDP fragment line: ${JSON.stringify(line.slice(0, 60))}`);
    if (line.startsWith("m=")) mid = undefined;
    else if (line.startsWith("a=mid:")) mid = line.slice(6);
    else if (line.startsWith("a=ice-ufrag:")) out.ufrag = line.slice(12);
    else if (line.startsWith("a=ice-pwd:")) out.pwd = line.slice(10);
    else if (line === "a=end-of-candidates") out.endOfCandidates = true;
    else if (line.startsWith("a=candidate:")) {
      const candidate = line.slice(2);
      if (!CANDIDATE.test(candidate)) throw new ParseError(`malformed candidate: ${JSON.stringify(candidate.slice(0, 80))}`);
      out.candidates.push({ mid, candidate });
    }
  }
  return out;
}
