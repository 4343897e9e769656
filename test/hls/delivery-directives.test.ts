import { describe, expect, test } from "bun:test";
import { advancePartLimit, judge, type LiveEdge, parseDirectives, type Verdict } from "../../src/hls/delivery-directives.ts";

const q = (s: string) => parseDirectives(new URLSearchParams(s));

describe("delivery directives (RFC 8216bis 6.2.5)", () => {
  test("parsed from the query", () => {
    expect(q("")).toEqual({ msn: undefined, part: undefined, skip: false });
    expect(q("_HLS_msn=12&_HLS_part=3&_HLS_skip=YES")).toEqual({ msn: 12, part: 3, skip: true });
    expect(q("_HLS_msn=12&_HLS_skip=v2")).toEqual({ msn: 12, part: undefined, skip: true });
    expect(q("_HLS_skip=NO")).toEqual({ msn: undefined, part: undefined, skip: false });
  });

  test("bad values and a part without a sequence number are refused with a reason", () => {
    for (const bad of ["_HLS_msn=-1", "_HLS_msn=1.5", "_HLS_msn=", "_HLS_msn=1e3", "_HLS_msn=1234567890123", "_HLS_msn=1&_HLS_part=x", "_HLS_part=2"]) {
      expect(typeof q(bad)).toBe("string");
    }
    expect(q("_HLS_part=2")).toContain("_HLS_msn");
  });

  test("advance part limit: 3 / part target under a second, else 3", () => {
    expect(advancePartLimit(0.2)).toBe(15);
    expect(advancePartLimit(0.5)).toBe(6);
    expect(advancePartLimit(1)).toBe(3);
    expect(advancePartLimit(2)).toBe(3);
  });
});

describe("blocking reload verdicts", () => {
  // Segments 10..16 complete with 10 parts each; segment 17 is being written and has 4 parts so far.
  const edge: LiveEdge = { firstMsn: 10, lastMsn: 16, partsOf: (m) => (m >= 10 && m <= 16 ? 10 : undefined), openParts: 4, partTarget: 0.2 };
  const cases: [number, number | undefined, Verdict][] = [
    [16, undefined, "ready"], // complete
    [17, undefined, "wait"], // being written: a segment counts once complete
    [18, undefined, "wait"], // last + 2
    [19, undefined, "too-far"], // last + 3
    [17, 3, "ready"], // published part of the open segment
    [17, 4, "wait"], // the next part: the usual hls.js request
    [17, 18, "wait"], // 15 parts past the last one is the limit
    [17, 19, "too-far"],
    [18, 0, "wait"],
    [18, 14, "wait"],
    [18, 15, "too-far"],
    [16, 9, "ready"],
    [16, 10, "ready"], // past segment 16's last part: part 0 of 17, which exists
    [5, 0, "ready"], // gone from the window: the current playlist is later
    [5, undefined, "ready"],
  ];
  for (const [msn, part, verdict] of cases) {
    test(`msn ${msn} part ${part ?? "-"}: ${verdict}`, () => expect(judge(msn, part, edge)).toBe(verdict));
  }

  test("a part index past a complete segment's last rolls over to the next segment, which may not have it yet", () => {
    const justCompleted: LiveEdge = { ...edge, openParts: 0 };
    expect(judge(16, 10, justCompleted)).toBe("wait");
    expect(judge(16, 9, justCompleted)).toBe("ready");
    expect(judge(17, 0, justCompleted)).toBe("wait");
  });
});
