/**
 * Top of a .cpuprofile (bun --cpu-prof) by self samples, which count only
 * the time the CPU was busy in a function (1 sample = 1 interval), unlike
 * time deltas, which also charge idle gaps to whatever ran before them.
 * Also sums the samples into groups (SRTP, UDP send, werift RTP, ours, ...).
 * Usage: bun profile-top.ts <file.cpuprofile> [rows]
 */
import { readFileSync } from "node:fs";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
const [file, rowsArg] = process.argv.slice(2);
if (!file) throw new Error("usage: profile-top.ts <file.cpuprofile> [rows]");
const profile = JSON.parse(readFileSync(file, "utf8")) as { nodes: Node[]; samples: number[] };
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<string, number>();
const GROUPS: [string, RegExp][] = [
  ["idle / program", /^\((idle|program|garbage collector)\)/],
  ["SRTP (AES, HMAC, werift srtp)", /Cipher|Decipher|update|final|setAAD|setAuthTag|getAuthTag|encryptRtp|encryptRTP|rtpInitializationVector|getSrtpSsrcState|Hmac|digest|srtp/i],
  ["UDP send (node:dgram, lookup)", /node:dgram|node:dns|afterDns|lookup|isIPv4|isIP|doSend|^send \[native/],
  ["our packetizer and session", /\/src\//],
];
const groups = new Map<string, number>();
let total = 0;
for (const id of profile.samples) {
  const n = byId.get(id);
  if (!n) continue;
  const f = n.callFrame;
  const where = f.url ? `${f.url.replace(/^.*\/(node_modules|src|routes)\//, "$1/")}:${f.lineNumber + 1}` : "[native]";
  const key = `${f.functionName || "(anonymous)"} ${where}`;
  self.set(key, (self.get(key) ?? 0) + 1);
  total++;
  const group = GROUPS.find(([, re]) => re.test(`${f.functionName} ${f.url || "[native"}`))?.[0] ?? "everything else (werift RTP/ICE, runtime)";
  groups.set(group, (groups.get(group) ?? 0) + 1);
}
const busy = total - (groups.get("idle / program") ?? 0);
console.log(`${total} samples, ${busy} busy`);
console.log("\nself samples by group (share of busy samples):");
for (const [g, n] of [...groups].sort((a, b) => b[1] - a[1])) if (g !== "idle / program") console.log(`  ${((100 * n) / busy).toFixed(1).padStart(5)}%  ${g}`);
console.log(`\ntop functions by self samples (share of busy samples):`);
for (const [k, n] of [...self].filter(([k]) => !/^\((idle|program)\)/.test(k)).sort((a, b) => b[1] - a[1]).slice(0, Number(rowsArg ?? 20))) {
  console.log(`  ${((100 * n) / busy).toFixed(1).padStart(5)}%  ${k}`);
}
