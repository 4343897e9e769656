import { describe, expect, test } from "bun:test";
import { ParseError } from "../../src/core/errors.ts";
import { rtspItemStream } from "../../src/rtsp/reader-stream.ts";
import { MAX_BODY_BYTES, MAX_HEADER_BYTES, MAX_INTERLEAVED_BYTES, RtspReader, type RtspItem } from "../../src/rtsp/reader.ts";
import { rng } from "../codec/bit-writer.ts";
import { concat, decode, frame, summary, text } from "./helpers.ts";

const SDP = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=x\r\nt=0 0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n";
const OPTIONS_OK = "RTSP/1.0 200 OK\r\nCSeq: 1\r\nPublic: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN\r\n\r\n";
const UNAUTHORIZED =
  'RTSP/1.0 401 Unauthorized\r\nCSeq: 2\r\nWWW-Authenticate: Digest realm="IP Camera(C6214)", nonce="a1b2", stale="FALSE"\r\nWWW-Authenticate: Basic realm="IP Camera(C6214)"\r\n\r\n';
const DESCRIBE_OK = `RTSP/1.0 200 OK\r\nCSeq: 3\r\nContent-Base: rtsp://cam/Streaming/Channels/101/\r\nContent-Type: application/sdp\r\nContent-Length: ${SDP.length}\r\n\r\n${SDP}`;

/** A camera session: responses, then interleaved RTP and RTCP mixed with a server request. */
const STREAM = concat(
  text(OPTIONS_OK),
  text(UNAUTHORIZED),
  text(DESCRIBE_OK),
  frame(0, 1400),
  frame(1, 28),
  text("GET_PARAMETER rtsp://client/ RTSP/1.0\r\nCSeq: 9\r\nSession: 12345678\r\n\r\n"),
  frame(0, 12),
  frame(2, 0),
  frame(0, MAX_INTERLEAVED_BYTES),
);

function pushAll(reader: RtspReader, chunks: Uint8Array[]): RtspItem[] {
  return chunks.flatMap((c) => reader.push(c));
}

const whole = summary(new RtspReader().push(STREAM));

describe("RtspReader framing", () => {
  test("a whole stream in one push", () => {
    expect(whole.map((i) => (i as { kind: string }).kind)).toEqual(["response", "response", "response", "interleaved", "interleaved", "request", "interleaved", "interleaved", "interleaved"]);
    const [, unauth, describe] = new RtspReader().push(STREAM);
    expect(unauth.kind === "response" && unauth.response.headers.getAll("www-authenticate").length).toBe(2);
    expect(describe.kind === "response" && decode(describe.response.body)).toBe(SDP);
  });

  test("split at every byte boundary of the messages", () => {
    const upto = STREAM.length - MAX_INTERLEAVED_BYTES; // the last big frame split points add nothing new
    for (let k = 1; k < upto; k++) {
      const r = new RtspReader();
      expect(summary(pushAll(r, [STREAM.subarray(0, k), STREAM.subarray(k)]))).toEqual(whole);
      expect(r.stats.bytesSkipped).toBe(0);
    }
  });

  test("one byte at a time and random chunks", () => {
    const r = new RtspReader();
    const ones: Uint8Array[] = [];
    for (let i = 0; i < STREAM.length; i++) ones.push(STREAM.subarray(i, i + 1));
    expect(summary(pushAll(r, ones))).toEqual(whole);
    const rand = rng(3);
    for (let n = 0; n < 50; n++) {
      const chunks: Uint8Array[] = [];
      for (let i = 0; i < STREAM.length; ) {
        const len = 1 + Math.floor(rand() * 2000);
        chunks.push(STREAM.subarray(i, i + len));
        i += len;
      }
      expect(summary(pushAll(new RtspReader(), chunks))).toEqual(whole);
    }
  });

  test("payloads stay valid after later pushes (views and copies)", () => {
    const r = new RtspReader();
    const a = frame(0, 100, 0x55);
    const b = frame(1, 100, 0x66);
    const first = r.push(concat(a, b.subarray(0, 50)));
    const second = r.push(b.subarray(50));
    r.push(frame(0, 100, 0x77));
    const p1 = first[0].kind === "interleaved" ? first[0].payload : new Uint8Array(0);
    const p2 = second[0].kind === "interleaved" ? second[0].payload : new Uint8Array(0);
    expect(p1[99]).toBe(0x55);
    expect(p2[99]).toBe(0x66);
  });

  test("requests for the server side: ANNOUNCE with body, SETUP with Transport", () => {
    const items = new RtspReader().push(
      text(`ANNOUNCE rtsp://srv/live RTSP/1.0\r\nCSeq: 1\r\nContent-Type: application/sdp\r\nContent-Length: ${SDP.length}\r\n\r\n${SDP}SETUP rtsp://srv/live/trackID=0 RTSP/1.0\r\nCSeq: 2\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1;mode=record\r\n\r\n`),
    );
    expect(items.map((i) => (i.kind === "request" ? [i.request.method, i.request.body?.length] : i.kind))).toEqual([
      ["ANNOUNCE", SDP.length],
      ["SETUP", undefined],
    ]);
  });

  test("tolerant heads: bare LF, folded header, no reason phrase, header without colon", () => {
    const r = new RtspReader();
    const [res] = r.push(text("RTSP/1.0 200\nCSeq: 4\nSession: 1234;\n  timeout=60\nJunkLine\nContent-Length:2\n\nokRTSP/1.0 454 Session Not Found\r\n\r\n"));
    expect(res.kind).toBe("response");
    if (res.kind !== "response") return;
    expect(res.response.reason).toBe("");
    expect(res.response.headers.get("session")).toBe("1234; timeout=60");
    expect(decode(res.response.body)).toBe("ok");
    expect(r.stats.badHeaderLines).toBe(1);
    expect(r.stats.messages).toBe(2);
  });

  test("CRLF keep-alives between items are not garbage", () => {
    const r = new RtspReader();
    const items = r.push(concat(text("\r\n\r\n"), text(OPTIONS_OK), text("\r\n"), frame(0, 20)));
    expect(items.length).toBe(2);
    expect(r.stats.resyncs).toBe(0);
  });
});

describe("RtspReader garbage and resync", () => {
  test("stray bytes after a frame, junk before a response", () => {
    const r = new RtspReader();
    const junk = text("\x00\x00\x17garbage bytes here\x01\x02");
    const items = r.push(concat(frame(0, 40), junk, frame(1, 20), new Uint8Array([0xff, 0xfe, 0x3f]), text(OPTIONS_OK)));
    expect(items.map((i) => i.kind)).toEqual(["interleaved", "interleaved", "response"]);
    expect(r.stats.bytesSkipped).toBe(junk.length + 3);
    expect(r.stats.resyncs).toBe(2);
  });

  test("a `$` whose payload is not RTP version 2 is garbage", () => {
    const r = new RtspReader();
    const fake = new Uint8Array([0x24, 0x00, 0x10, 0x00, 0x00, 0x01]);
    const items = r.push(concat(fake, frame(0, 10)));
    expect(items.map((i) => i.kind)).toEqual(["interleaved"]);
    expect(r.stats.bytesSkipped).toBe(fake.length);
  });

  test("setChannels: frames on other channels are treated as garbage", () => {
    const r = new RtspReader();
    r.setChannels([0, 1]);
    const items = r.push(concat(frame(7, 10, 0x00), frame(1, 10)));
    expect(items.length).toBe(1);
    expect(items[0].kind === "interleaved" && items[0].channel).toBe(1);
  });

  test("while resyncing only RFC 2326 methods count as a request start", () => {
    const r = new RtspReader();
    const items = r.push(text("~~FOO rtsp://x RTSP/1.0\r\n\r\nOPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n"));
    expect(items.map((i) => (i.kind === "request" ? i.request.method : i.kind))).toEqual(["OPTIONS"]);
    // At a clean boundary an extension method is fine.
    const clean = new RtspReader().push(text("FOO rtsp://x RTSP/1.0\r\n\r\n"));
    expect(clean.map((i) => (i.kind === "request" ? i.request.method : i.kind))).toEqual(["FOO"]);
  });
});

describe("RtspReader limits and errors", () => {
  test("header block too large: error item, then reading goes on", () => {
    const r = new RtspReader();
    const huge = `RTSP/1.0 200 OK\r\nCSeq: 1\r\nX-Pad: ${"a".repeat(MAX_HEADER_BYTES)}\r\n\r\n`;
    const items: RtspItem[] = [];
    for (let i = 0; i < huge.length; i += 1000) {
      items.push(...r.push(text(huge.slice(i, i + 1000))));
      expect(r.buffered).toBeLessThanOrEqual(MAX_HEADER_BYTES + 1000);
    }
    items.push(...r.push(text(OPTIONS_OK)));
    expect(items.map((i) => i.kind)).toEqual(["error", "response"]);
    expect(items[0].kind === "error" && items[0].error).toBeInstanceOf(ParseError);
    expect(r.stats.errors).toBe(1);
  });

  test.each(["-5", "abc", "1e3", "", "0x10", "12, 13"])("bad Content-Length %p: error item, the next message still read", (cl) => {
    const r = new RtspReader();
    const items = r.push(text(`RTSP/1.0 200 OK\r\nCSeq: 1\r\nContent-Length: ${cl}\r\n\r\nbodyRTSP/1.0 200 OK\r\nCSeq: 2\r\n\r\n`));
    expect(items.map((i) => i.kind)).toEqual(["error", "response"]);
    expect(items[1].kind === "response" && items[1].response.headers.get("cseq")).toBe("2");
  });

  test("repeated Content-Length must agree", () => {
    const items = new RtspReader().push(text("RTSP/1.0 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc"));
    expect(items[0].kind).toBe("error");
  });

  test("body over the limit: error item, body skipped without buffering", () => {
    const r = new RtspReader();
    const size = MAX_BODY_BYTES + 10;
    const items = [...r.push(text(`RTSP/1.0 200 OK\r\nCSeq: 1\r\nContent-Length: ${size}\r\n\r\n`))];
    for (let left = size; left > 0; left -= 65536) {
      items.push(...r.push(new Uint8Array(Math.min(65536, left)).fill(0x24)));
      expect(r.buffered).toBe(0);
    }
    items.push(...r.push(frame(0, 10)));
    expect(items.map((i) => i.kind)).toEqual(["error", "interleaved"]);
    expect(r.stats.bytesSkipped).toBeGreaterThanOrEqual(size);
  });

  test("a body at the limit is read", () => {
    const body = "x".repeat(MAX_BODY_BYTES);
    const items = new RtspReader().push(text(`RTSP/1.0 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`));
    expect(items[0].kind === "response" && items[0].response.body.length).toBe(MAX_BODY_BYTES);
  });
});

describe("RtspReader garbage injection", () => {
  test("a request after garbage, split at every byte", () => {
    const data = concat(text("\x00junk"), text("OPTIONS rtsp://cam/live RTSP/1.0\r\nCSeq: 5\r\n\r\n"), frame(0, 10));
    for (let k = 1; k < data.length; k++) {
      const r = new RtspReader();
      const items = [...r.push(data.subarray(0, k)), ...r.push(data.subarray(k))];
      expect(items.map((i) => (i.kind === "request" ? i.request.method : i.kind))).toEqual(["OPTIONS", "interleaved"]);
      expect(r.stats.bytesSkipped).toBe(5);
    }
  });

  test("junk between every item: every item recovered, every junk byte counted", () => {
    const items = [text(OPTIONS_OK), frame(0, 500), text(UNAUTHORIZED), frame(1, 30), text(DESCRIBE_OK), frame(0, 2000), frame(3, 8)];
    const clean = summary(new RtspReader().push(concat(...items)));
    // No `$`, no capitals, no CR/LF: nothing in the junk can look like a start.
    const alphabet = text("abcdefghijklmnopqrstuvwxyz0123456789 \x00\x01\x7f\x80\xff;:=-_/.");
    const rand = rng(5);
    for (let n = 0; n < 200; n++) {
      let junkBytes = 0;
      const parts = items.flatMap((it) => {
        const junk = Uint8Array.from({ length: Math.floor(rand() * 40) }, () => alphabet[Math.floor(rand() * alphabet.length)]);
        junkBytes += junk.length;
        return [junk, it];
      });
      const data = concat(...parts);
      const r = new RtspReader();
      const got: RtspItem[] = [];
      for (let i = 0; i < data.length; ) {
        const len = 1 + Math.floor(rand() * 700);
        got.push(...r.push(data.subarray(i, i + len)));
        i += len;
      }
      expect(summary(got)).toEqual(clean);
      expect(r.stats.bytesSkipped).toBe(junkBytes);
    }
  });
});

describe("rtspItemStream", () => {
  test("pipes chunks to items", async () => {
    const bytes = STREAM.subarray(0, STREAM.length - MAX_INTERLEAVED_BYTES - 4);
    const source = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < bytes.length; i += 100) c.enqueue(bytes.subarray(i, i + 100));
        c.close();
      },
    });
    const items: RtspItem[] = [];
    const out = source.pipeThrough(rtspItemStream()).getReader();
    for (let r = await out.read(); !r.done; r = await out.read()) items.push(r.value);
    expect(summary(items)).toEqual(whole.slice(0, -1));
  });
});
