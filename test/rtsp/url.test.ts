import { describe, expect, test } from "bun:test";
import { resolveControl, stripCredentials } from "../../src/rtsp/url.ts";

describe("resolveControl (RFC 2326 C.1.1)", () => {
  test.each([
    // [base, control, expected]
    ["rtsp://cam/stream/", undefined, "rtsp://cam/stream/"],
    ["rtsp://cam/stream/", "", "rtsp://cam/stream/"],
    ["rtsp://cam/stream/", "*", "rtsp://cam/stream/"],
    ["rtsp://cam/stream/", "trackID=1", "rtsp://cam/stream/trackID=1"],
    // Hikvision: Content-Base without the slash, still "append".
    ["rtsp://cam/Streaming/Channels/101", "trackID=1", "rtsp://cam/Streaming/Channels/101/trackID=1"],
    // Dahua: the base ends in a query plus slash.
    ["rtsp://cam/cam/realmonitor?channel=1&subtype=0/", "trackID=0", "rtsp://cam/cam/realmonitor?channel=1&subtype=0/trackID=0"],
    ["rtsp://cam/live", "rtsp://10.0.0.1:554/live/track2", "rtsp://10.0.0.1:554/live/track2"],
    ["rtsp://cam/live", "RTSP://cam/other", "RTSP://cam/other"],
    ["rtsp://cam:8554/live/main", "/live/track1", "rtsp://cam:8554/live/track1"],
    ["rtsp://cam/live", " track1 ", "rtsp://cam/live/track1"],
  ] as const)("%s + %p", (base, control, expected) => {
    expect(resolveControl(base, control)).toBe(expected);
  });
});

describe("stripCredentials", () => {
  test("plain, encoded, `@` in the password, user only, none", () => {
    expect(stripCredentials("rtsp://admin:12345@192.168.1.64:554/Streaming/Channels/101")).toEqual({
      url: "rtsp://192.168.1.64:554/Streaming/Channels/101",
      user: "admin",
      password: "12345",
    });
    expect(stripCredentials("rtsp://us%40er:p%3Ass%2Fw%25rd@cam/live")).toEqual({ url: "rtsp://cam/live", user: "us@er", password: "p:ss/w%rd" });
    expect(stripCredentials("rtsp://admin:p@ss@cam/live?x=@")).toEqual({ url: "rtsp://cam/live?x=@", user: "admin", password: "p@ss" });
    expect(stripCredentials("rtsp://admin:pa:ss@cam")).toEqual({ url: "rtsp://cam", user: "admin", password: "pa:ss" });
    expect(stripCredentials("rtsp://viewer@cam/live")).toEqual({ url: "rtsp://cam/live", user: "viewer" });
    expect(stripCredentials("rtsp://u:100%@cam/")).toEqual({ url: "rtsp://cam/", user: "u", password: "100%" });
    expect(stripCredentials("rtsp://cam/live")).toEqual({ url: "rtsp://cam/live" });
    expect(stripCredentials("not a url")).toEqual({ url: "not a url" });
    expect(stripCredentials("rtsp://admin:@[fe80::1]:554/x")).toEqual({ url: "rtsp://[fe80::1]:554/x", user: "admin", password: "" });
  });
});
