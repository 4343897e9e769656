import { describe, expect, test } from "bun:test";
import { parseSpropParameterSets } from "../../src/rtp/h264/sprop.ts";
import { hex } from "./helpers.ts";

describe("parseSpropParameterSets", () => {
  test("SPS and PPS from a camera's SDP", () => {
    const sets = parseSpropParameterSets("Z0LADdkBQfsBEAAAAwAQAAADAyDxQqSA,aM48gA==");
    expect(sets).toEqual([hex("6742c00dd90141fb011000000300100000030320f142a480"), hex("68ce3c80")]);
  });

  test("whitespace, missing padding, empty and broken entries", () => {
    const sets = parseSpropParameterSets(" Z0LADdkB\r\n QfsBEAAAAwAQAAADAyDxQqSA , ,aM48gA,%%%,a");
    expect(sets).toEqual([hex("6742c00dd90141fb011000000300100000030320f142a480"), hex("68ce3c80")]);
  });

  test("empty value", () => {
    expect(parseSpropParameterSets("")).toEqual([]);
  });
});
