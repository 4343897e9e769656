import { expect, test } from "bun:test";
import { RtspAuthenticator } from "../../src/rtsp/auth.ts";
import { ServerAuth } from "../../src/rtsp/server/server-auth.ts";

const expected = { user: "nvr", password: "s3cret" };

test("our own client's Digest answer to our challenge is accepted; a wrong password is not", () => {
  const server = new ServerAuth();
  const challenges = server.challenges();
  const good = new RtspAuthenticator("nvr", "s3cret");
  good.setChallenges(challenges);
  expect(server.check(good.authorization("DESCRIBE", "rtsp://h/cam"), "DESCRIBE", expected)).toBe("ok");
  const bad = new RtspAuthenticator("nvr", "nope");
  bad.setChallenges(challenges);
  expect(server.check(bad.authorization("DESCRIBE", "rtsp://h/cam"), "DESCRIBE", expected)).toBe("denied");
  // The method is part of the digest: a DESCRIBE answer does not open PLAY.
  expect(server.check(good.authorization("DESCRIBE", "rtsp://h/cam"), "PLAY", expected)).toBe("denied");
});

test("Basic works, garbage and missing headers are denied, an unknown nonce is stale", () => {
  const server = new ServerAuth();
  expect(server.check(`Basic ${btoa("nvr:s3cret")}`, "DESCRIBE", expected)).toBe("ok");
  expect(server.check(`Basic ${btoa("nvr:x")}`, "DESCRIBE", expected)).toBe("denied");
  expect(server.check(undefined, "DESCRIBE", expected)).toBe("denied");
  expect(server.check("Bearer abc", "DESCRIBE", expected)).toBe("denied");
  expect(server.check('Digest username="nvr", nonce=, response=""', "DESCRIBE", expected)).toBe("denied");
  const client = new RtspAuthenticator("nvr", "s3cret");
  client.setChallenges(['Digest realm="mediaserver", nonce="not-ours", algorithm=MD5']);
  expect(server.check(client.authorization("DESCRIBE", "rtsp://h/cam"), "DESCRIBE", expected)).toBe("stale");
});

test("garbage Authorization headers never throw", () => {
  const server = new ServerAuth();
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let i = 0; i < 2000; i++) {
    const s = Array.from({ length: Math.floor(rnd() * 80) }, () => String.fromCharCode(Math.floor(rnd() * 128))).join("");
    expect(["ok", "stale", "denied"]).toContain(server.check(rnd() < 0.5 ? `Digest ${s}` : s, "PLAY", expected));
  }
});
