import { describe, expect, test } from "bun:test";
import { parseChallenges, RtspAuthenticator } from "../../src/rtsp/auth.ts";

/** Authorization parameters as a map, for comparing without caring about order. */
function params(header: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of header.replace(/^Digest /, "").matchAll(/(\w+)=("([^"]*)"|[^,\s]+)/g)) out[m[1]] = m[3] ?? m[2];
  return out;
}

describe("Digest test vectors", () => {
  test("RFC 2617 3.5 (MD5, qop=auth)", () => {
    const a = new RtspAuthenticator("Mufasa", "Circle Of Life", { cnonce: () => "0a4f113b" });
    a.setChallenges([
      'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
    ]);
    const p = params(a.authorization("GET", "/dir/index.html")!);
    expect(p).toMatchObject({
      username: "Mufasa",
      realm: "testrealm@host.com",
      nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093",
      uri: "/dir/index.html",
      qop: "auth",
      nc: "00000001",
      cnonce: "0a4f113b",
      response: "6629fae49393a05397450978507c4ef1",
      opaque: "5ccc069c403ebaf9f0171e9517f40e41",
    });
    expect(params(a.authorization("GET", "/dir/index.html")!).nc).toBe("00000002");
  });

  const RFC7616 = {
    realm: "http-auth@example.org",
    nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
    opaque: "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS",
    cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
  };
  const challenge = (alg: string) => `Digest realm="${RFC7616.realm}", qop="auth, auth-int", algorithm=${alg}, nonce="${RFC7616.nonce}", opaque="${RFC7616.opaque}"`;

  test.each([
    ["MD5", "8ca523f5e9506fed4657c9700eebdbec"],
    ["SHA-256", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"],
  ])("RFC 7616 3.9.1 (%s)", (alg, response) => {
    const a = new RtspAuthenticator("Mufasa", "Circle of Life", { cnonce: () => RFC7616.cnonce });
    expect(a.setChallenges([challenge(alg)])).toBe(true);
    const p = params(a.authorization("GET", "/dir/index.html")!);
    expect(p).toMatchObject({ algorithm: alg, response, nc: "00000001", qop: "auth", cnonce: RFC7616.cnonce, opaque: RFC7616.opaque });
  });

  test("strongest of several challenges wins, in one header or several", () => {
    const a = new RtspAuthenticator("Mufasa", "Circle of Life", { cnonce: () => RFC7616.cnonce });
    a.setChallenges([`Basic realm="x", ${challenge("MD5")}`, challenge("SHA-256")]);
    expect(a.challenge?.scheme === "digest" && a.challenge.algorithm).toBe("SHA-256");
    a.setChallenges(['Basic realm="x"', challenge("MD5")]);
    expect(a.challenge?.scheme === "digest" && a.challenge.algorithm).toBe("MD5");
  });
});

describe("camera challenges", () => {
  test("legacy Digest without qop (Hikvision, Dahua): RFC 2069 response", () => {
    const a = new RtspAuthenticator("admin", "12345");
    a.setChallenges(['Digest realm="IP Camera(C6214)", nonce="9bde4c1b2a", stale="FALSE"', 'Basic realm="IP Camera(C6214)"']);
    const h = a.authorization("DESCRIBE", "rtsp://192.168.1.64:554/Streaming/Channels/101")!;
    // MD5(MD5("admin:IP Camera(C6214):12345"):9bde4c1b2a:MD5("DESCRIBE:rtsp://…")), computed independently with md5sum.
    expect(params(h)).toEqual({
      username: "admin",
      realm: "IP Camera(C6214)",
      nonce: "9bde4c1b2a",
      uri: "rtsp://192.168.1.64:554/Streaming/Channels/101",
      response: LEGACY_RESPONSE,
    });
    expect(h).not.toContain("algorithm");
    expect(h).not.toContain("cnonce");
  });

  test("Basic only (Axis in basic mode), UTF-8 password", () => {
    const a = new RtspAuthenticator("root", "pässword");
    expect(a.authorization("OPTIONS", "rtsp://x")).toBeUndefined();
    a.setChallenges(['Basic realm="AXIS_ACCC8E000000"']);
    expect(a.authorization("OPTIONS", "rtsp://x")).toBe(`Basic ${Buffer.from("root:pässword").toString("base64")}`);
  });

  test("stale=true is a retry; a new nonce restarts nc", () => {
    const a = new RtspAuthenticator("u", "p", { cnonce: () => "c" });
    a.setChallenges(['Digest realm="r", nonce="n1", qop=auth']);
    a.authorization("PLAY", "rtsp://x");
    expect(params(a.authorization("PLAY", "rtsp://x")!).nc).toBe("00000002");
    const again = ['Digest realm="r", nonce="n2", qop=auth, stale=TRUE'];
    expect(a.isStaleRetry(again)).toBe(true);
    expect(a.isStaleRetry(['Digest realm="r", nonce="n2", stale="false"'])).toBe(false);
    a.setChallenges(again);
    expect(params(a.authorization("PLAY", "rtsp://x")!)).toMatchObject({ nc: "00000001", nonce: "n2" });
  });

  test("MD5-sess without qop still sends a cnonce", () => {
    const a = new RtspAuthenticator("u", "p", { cnonce: () => "cc" });
    a.setChallenges(['Digest realm="r", nonce="n", algorithm=md5-sess']);
    expect(params(a.authorization("PLAY", "rtsp://x")!)).toMatchObject({ algorithm: "MD5-sess", cnonce: "cc" });
  });

  test("parseChallenges: quoted commas, escapes, odd spacing, unusable ones left out", () => {
    const c = parseChallenges([
      'Digest realm="a, \\"b\\"" ,nonce = "n" , opaque=xyz , qop="auth"',
      'Negotiate abc==, Digest realm="r", nonce="m", algorithm=SHA-512-256',
      'Digest realm="no nonce"',
      'Digest realm="r", nonce="k", qop="auth-int"',
      "Basic",
    ]);
    expect(c).toEqual([
      { scheme: "digest", realm: 'a, "b"', nonce: "n", opaque: "xyz", algorithm: "MD5", algorithmGiven: false, qop: ["auth"], stale: false },
      { scheme: "basic", realm: "" },
    ]);
    const a = new RtspAuthenticator("u", "p");
    expect(a.setChallenges(['Negotiate xyz', 'NTLM'])).toBe(false);
    expect(a.authorization("OPTIONS", "*")).toBeUndefined();
  });
});

/** md5sum of md5sum("admin:IP Camera(C6214):12345"):9bde4c1b2a:md5sum("DESCRIBE:rtsp://…/101"), done in a shell. */
const LEGACY_RESPONSE = "4f38c7567e30b1a9835ab094b3f97686";
