import { expect, test } from "bun:test";
import { ErrorReport } from "../../src/ingest/ts/error-report.ts";

test("damaged-input warnings are summed and said at most once per interval", () => {
  const lines: string[] = [];
  const log = { debug() {}, info() {}, error() {}, warn: (m: string) => lines.push(m) };
  let now = 100_000;
  const report = new ErrorReport("cam", log, () => now);
  report.check({ ccErrors: 3, packets: 10 });
  expect(lines).toEqual(["cam: damaged input: 3 ccErrors"]);
  for (let i = 1; i <= 9; i++) {
    now += 1000;
    report.check({ ccErrors: 3 + i * 2, resyncs: i >= 5 ? 1 : 0, packets: 10 + i });
  }
  expect(lines.length).toBe(1);
  now += 1000;
  report.check({ ccErrors: 23, resyncs: 1 });
  expect(lines[1]).toBe("cam: damaged input in the last 10 s: 20 ccErrors, 1 resyncs");
  now += 20_000;
  report.check({ ccErrors: 23, resyncs: 1 });
  expect(lines.length).toBe(2); // nothing new, nothing said
});
