import { describe, expect, test } from "bun:test";
import { MediaError } from "../../src/core/errors.ts";
import { RtspHeaders, serializeRequest, serializeResponse } from "../../src/rtsp/message.ts";
import { RtspReader } from "../../src/rtsp/reader.ts";
import { decode, text } from "./helpers.ts";

describe("RtspHeaders", () => {
  test("case-insensitive, ordered, repeated values", () => {
    const h = new RtspHeaders([
      ["CSeq", "2"],
      ["WWW-Authenticate", 'Digest realm="a", nonce="n"'],
      ["www-authenticate", 'Basic realm="a"'],
    ]);
    expect(h.get("cseq")).toBe("2");
    expect(h.get("WWW-AUTHENTICATE")).toBe('Digest realm="a", nonce="n"');
    expect(h.getAll("WWW-Authenticate")).toEqual(['Digest realm="a", nonce="n"', 'Basic realm="a"']);
    expect(h.has("Session")).toBe(false);
    h.set("www-authenticate", "x");
    expect([...h]).toEqual([
      ["CSeq", "2"],
      ["www-authenticate", "x"],
    ]);
    h.append("Session", "1").set("CSEQ", "3");
    expect([...h].map(([n]) => n)).toEqual(["CSEQ", "www-authenticate", "Session"]);
    expect(h.delete("session")).toBe(true);
    expect(h.size).toBe(2);
    expect(new RtspHeaders({ A: "1" }).get("a")).toBe("1");
  });
});

describe("serialize", () => {
  test("request with body gets Content-Length and reads back", () => {
    const body = text("v=0\r\n");
    const bytes = serializeRequest({ method: "ANNOUNCE", uri: "rtsp://h/p", headers: new RtspHeaders({ CSeq: "1", "Content-Length": "999" }), body });
    expect(decode(bytes)).toBe("ANNOUNCE rtsp://h/p RTSP/1.0\r\nCSeq: 1\r\nContent-Length: 5\r\n\r\nv=0\r\n");
    const [item] = new RtspReader().push(bytes);
    expect(item.kind === "request" && decode(item.request.body!)).toBe("v=0\r\n");
  });

  test("request without body has no Content-Length", () => {
    const bytes = serializeRequest({ method: "OPTIONS", uri: "*", headers: new RtspHeaders({ CSeq: "1", "content-length": "3" }) });
    expect(decode(bytes)).toBe("OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n");
  });

  test("response round trip, headers not mutated", () => {
    const headers = new RtspHeaders({ CSeq: "3", Public: "OPTIONS, DESCRIBE" });
    const bytes = serializeResponse({ status: 200, reason: "OK", headers, body: text("abc") });
    expect(decode(bytes)).toBe("RTSP/1.0 200 OK\r\nCSeq: 3\r\nPublic: OPTIONS, DESCRIBE\r\nContent-Length: 3\r\n\r\nabc");
    expect(headers.has("Content-Length")).toBe(false);
    const [item] = new RtspReader().push(bytes);
    expect(item.kind === "response" && [item.response.status, decode(item.response.body)]).toEqual([200, "abc"]);
  });

  test("refuses header injection and bad start lines", () => {
    const bad = new RtspHeaders({ Session: "1\r\nX: y" });
    expect(() => serializeResponse({ status: 200, reason: "OK", headers: bad, body: new Uint8Array(0) })).toThrow(MediaError);
    expect(() => serializeRequest({ method: "PLAY", uri: "rtsp://a b", headers: new RtspHeaders() })).toThrow(MediaError);
    expect(() => serializeResponse({ status: 20, reason: "OK", headers: new RtspHeaders(), body: new Uint8Array(0) })).toThrow(MediaError);
  });
});
