/** Attributes that name a payload type first: `a=rtpmap:96 ...`, `a=fmtp:96 ...`, `a=rtcp-fb:96 ...`. */
const PT_ATTRIBUTE = /^a=(rtpmap|fmtp|rtcp-fb):(\d+|\*)[\s]/;
/** A host candidate named by mDNS (draft-ietf-mmusic-mdns-ice-candidates): `... 2122260223 1f4d….local 54321 typ host`. */
const MDNS_CANDIDATE = /^a=candidate:\S+ \d+ \S+ \d+ \S+\.local /i;

/**
 * The offer as werift should see it: in each m-section we send on, only the
 * payload type we chose (werift matches codecs by name alone and would answer
 * every H.264 variant the browser listed, then send with the first one).
 * mDNS candidates are dropped: resolving them opens a multicast socket per
 * session, and the browser's checks reach us as peer-reflexive candidates anyway.
 */
export function filterOffer(sdp: string, keep: ReadonlyMap<number, number>): string {
  const lines = sdp.split(/\r\n|\n/);
  const out: string[] = [];
  let section = -1;
  for (const line of lines) {
    if (line.startsWith("m=")) {
      section++;
      const pt = keep.get(section);
      if (pt !== undefined) {
        const [media, port, proto] = line.split(" ");
        out.push(`${media} ${port} ${proto} ${pt}`);
        continue;
      }
    }
    if (MDNS_CANDIDATE.test(line)) continue;
    const pt = keep.get(section);
    const attr = PT_ATTRIBUTE.exec(line);
    if (pt !== undefined && attr && attr[2] !== "*" && Number(attr[2]) !== pt) continue;
    out.push(line);
  }
  return out.join("\r\n");
}
