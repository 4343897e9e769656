import type { WebRtcConfig } from "../config/schema.ts";

/** Quoted-string of RFC 9110 5.6.4: backslash and quote escaped. */
function quoted(v: string): string {
  return `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** Link header values announcing ICE servers to the client (RFC 9725 4.6), one per URL. */
export function iceServerLinks(servers: WebRtcConfig["clientIceServers"]): string[] {
  const out: string[] = [];
  for (const s of servers) {
    for (const url of Array.isArray(s.urls) ? s.urls : [s.urls]) {
      let link = `<${url}>; rel="ice-server"`;
      if (s.username !== undefined) link += `; username=${quoted(s.username)}`;
      if (s.credential !== undefined) link += `; credential=${quoted(s.credential)}; credential-type="password"`;
      out.push(link);
    }
  }
  return out;
}
