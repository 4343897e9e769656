import { expect, test } from "bun:test";
import { ParseError } from "../../src/core/errors.ts";
import { parseWhepOffer } from "../../src/webrtc/offer.ts";
import { filterOffer } from "../../src/webrtc/offer-filter.ts";
import { parseIceFragment } from "../../src/webrtc/trickle.ts";
import { CHROMIUM_OFFER } from "./offers.ts";

/** Deterministic PRNG (mulberry32) so a failure replays. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = " =:/;\r\n0123456789abcdefvmoa-.*\u0000\u00ff";

function mutate(text: string, r: () => number): string {
  const chars = [...text];
  const edits = 1 + Math.floor(r() * 8);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(r() * chars.length);
    const op = r();
    if (op < 0.4) chars[at] = ALPHABET[Math.floor(r() * ALPHABET.length)]!;
    else if (op < 0.7) chars.splice(at, 1 + Math.floor(r() * 40));
    else chars.splice(at, 0, ...chars.slice(Math.floor(r() * chars.length), Math.floor(r() * chars.length)));
  }
  return chars.join("");
}

test("mangled offers and fragments: a result or a ParseError, nothing else", () => {
  const r = rng(7);
  let refused = 0;
  for (let i = 0; i < 3000; i++) {
    const sdp = mutate(CHROMIUM_OFFER, r);
    try {
      const o = parseWhepOffer(sdp);
      filterOffer(sdp, new Map(o.sections.map((s) => [s.index, s.codecs[0]?.payloadType ?? 0])));
    } catch (e) {
      if (!(e instanceof ParseError)) throw new Error(`iteration ${i}: ${String(e)}`);
      refused++;
    }
    try {
      parseIceFragment(mutate("a=ice-ufrag:ab\r\na=mid:0\r\na=candidate:1 1 udp 2122260223 127.0.0.1 5000 typ host\r\n", r));
    } catch (e) {
      if (!(e instanceof ParseError)) throw new Error(`fragment iteration ${i}: ${String(e)}`);
    }
  }
  expect(refused).toBeGreaterThan(0);
});
