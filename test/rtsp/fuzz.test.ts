import { describe, expect, test } from "bun:test";
import { ParseError } from "../../src/core/errors.ts";
import { parseChallenges, RtspAuthenticator } from "../../src/rtsp/auth.ts";
import { parsePublic, parseRtpInfo, parseSession, parseTransport } from "../../src/rtsp/headers.ts";
import { MAX_BODY_BYTES, MAX_HEADER_BYTES, MAX_INTERLEAVED_BYTES, RtspReader } from "../../src/rtsp/reader.ts";
import { parseSessionDescription } from "../../src/rtsp/sdp.ts";
import { resolveControl, stripCredentials } from "../../src/rtsp/url.ts";
import { rng } from "../codec/bit-writer.ts";
import { concat, frame, text } from "./helpers.ts";
import { ALL_CAMERAS } from "./sdp-cases.ts";

/** Bytes the reader may hold at once: a partial head plus one frame or body being filled. */
const MEMORY_BOUND = MAX_HEADER_BYTES + Math.max(MAX_BODY_BYTES, MAX_INTERLEAVED_BYTES);

/** Only ParseError may escape a parser; anything else is a bug. */
function onlyParseError(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof ParseError)) throw e;
  }
}

function mutate(src: Uint8Array, rand: () => number, alphabet?: Uint8Array): Uint8Array {
  const kind = Math.floor(rand() * 4);
  const pick = () => (alphabet ? alphabet[Math.floor(rand() * alphabet.length)] : Math.floor(rand() * 256));
  if (kind === 0) {
    const out = src.slice();
    for (let i = 0, n = 1 + Math.floor(rand() * 20); i < n && out.length > 0; i++) out[Math.floor(rand() * out.length)] = pick();
    return out;
  }
  const at = Math.floor(rand() * (src.length + 1));
  if (kind === 1) return concat(src.subarray(0, at), src.subarray(Math.min(src.length, at + Math.floor(rand() * 200))));
  if (kind === 2) return concat(src.subarray(0, at), Uint8Array.from({ length: Math.floor(rand() * 300) }, pick), src.subarray(at));
  // Duplicate a slice somewhere else (repeated headers, repeated m-lines).
  const from = Math.floor(rand() * src.length);
  return concat(src.subarray(0, at), src.subarray(from, from + Math.floor(rand() * 400)), src.subarray(at));
}

const SAMPLE = concat(
  text("RTSP/1.0 200 OK\r\nCSeq: 1\r\nPublic: OPTIONS, DESCRIBE\r\n\r\n"),
  text(`RTSP/1.0 200 OK\r\nCSeq: 2\r\nContent-Type: application/sdp\r\nContent-Length: ${ALL_CAMERAS.DAHUA.length}\r\n\r\n${ALL_CAMERAS.DAHUA}`),
  frame(0, 1200),
  frame(1, 40),
  text("ANNOUNCE rtsp://s/p RTSP/1.0\r\nCSeq: 3\r\nContent-Length: 4\r\n\r\nabcd"),
  frame(0, 3000),
  frame(2, 100),
);
/** Bytes that matter to the reader, so random input hits its branches often. */
const READER_ALPHABET = text("$\x00\x01\x80\r\n :RTSP/1.0 200 OKContent-Length: 10DESCRIBE rtsp://x \x7f\xff0123456789");

describe("fuzz: RtspReader", () => {
  test("random and mutated streams in random chunks: no throw, bounded memory and time", () => {
    const rand = rng(11);
    const started = Date.now();
    let items = 0;
    for (let n = 0; n < 1500; n++) {
      const data =
        n % 3 === 0
          ? Uint8Array.from({ length: Math.floor(rand() * 8000) }, () => READER_ALPHABET[Math.floor(rand() * READER_ALPHABET.length)])
          : mutate(SAMPLE, rand, n % 2 ? READER_ALPHABET : undefined);
      const r = new RtspReader();
      for (let i = 0; i < data.length; ) {
        const len = 1 + Math.floor(rand() * (rand() < 0.3 ? 8 : 3000));
        for (const it of r.push(data.subarray(i, i + len))) {
          items++;
          if (it.kind === "error") expect(it.error).toBeInstanceOf(ParseError);
        }
        expect(r.buffered).toBeLessThanOrEqual(MEMORY_BOUND);
        i += len;
      }
    }
    expect(items).toBeGreaterThan(1000);
    expect(Date.now() - started).toBeLessThan(15000);
  });

  test("adversarial: long runs that look like starts stay linear", () => {
    const r = new RtspReader();
    const started = Date.now();
    const longLines = (unit: string) => `${unit.repeat(Math.ceil(4000 / unit.length))}\n`;
    for (const pattern of ["RTSP/", "DESCRIBE", "A", "$\x00\x00", "DESCRIBE x ", longLines("RTSP/"), longLines("RTSP/1.0 200 "), longLines("OPTIONS ")]) {
      const junk = text(pattern.repeat(Math.ceil(400_000 / pattern.length)));
      for (let i = 0; i < junk.length; i += 65536) r.push(junk.subarray(i, i + 65536));
      expect(r.buffered).toBeLessThanOrEqual(MEMORY_BOUND);
    }
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe("fuzz: SDP", () => {
  test("mutated camera SDPs: only ParseError, every m-line accounted for", () => {
    const rand = rng(12);
    const cams = Object.values(ALL_CAMERAS).map(text);
    const alphabet = text("v=m=a=rtpmap:fmtp:control:96 97 0 8 H264 h265 MPEG4-GENERIC/90000/2;=,\r\n \t*video audio RTP/AVP");
    let parsed = 0;
    for (let n = 0; n < 3000; n++) {
      const src = cams[n % cams.length];
      const bytes = mutate(mutate(src, rand, n % 2 ? alphabet : undefined), rand, alphabet);
      onlyParseError(() => {
        const s = parseSessionDescription(new TextDecoder().decode(bytes));
        for (const m of s.media) {
          expect(Number.isInteger(m.payloadType) && m.clockRate > 0).toBe(true);
          expect(typeof m.fmtp).toBe("object");
        }
        parsed++;
      });
    }
    expect(parsed).toBeGreaterThan(1000);
  });

  test("random text", () => {
    const rand = rng(13);
    for (let n = 0; n < 500; n++) {
      const s = String.fromCharCode(...Array.from({ length: Math.floor(rand() * 500) }, () => Math.floor(rand() * 128)));
      onlyParseError(() => parseSessionDescription(s));
    }
  });
});

describe("fuzz: headers and challenges", () => {
  const ALPHABET = ' ;,="\\=-/:*0123456789abcdefABCDEF\tRTP/AVP/TCP unicast interleaved client_port mode RECORD url seq rtptime timeout Digest Basic realm nonce qop auth stale algorithm SHA-256 MD5-sess';
  const randomValue = (rand: () => number) => Array.from({ length: Math.floor(rand() * 200) }, () => ALPHABET[Math.floor(rand() * ALPHABET.length)]).join("");

  test("random values never throw, results stay in range", () => {
    const rand = rng(14);
    const auth = new RtspAuthenticator("u", "p");
    for (let n = 0; n < 5000; n++) {
      const v = randomValue(rand);
      for (const t of parseTransport(v)) {
        for (const r of [t.clientPort, t.serverPort, t.port]) if (r) expect(r[0] >= 0 && r[1] <= 0xffff).toBe(true);
        if (t.interleaved) expect(t.interleaved[1]).toBeLessThanOrEqual(255);
      }
      const s = parseSession(v);
      if (s) expect(s.timeout).toBeGreaterThan(0);
      parseRtpInfo(v);
      parsePublic(v);
      parseChallenges([v, v.slice(7)]);
      if (auth.setChallenges([v])) expect(typeof auth.authorization("PLAY", "rtsp://x")).toBe("string");
      auth.isStaleRetry([v]);
      resolveControl("rtsp://cam/live", v);
      stripCredentials(`rtsp://${v}`);
    }
  });
});
