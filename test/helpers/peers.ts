import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/** The system's binary when there is one (CI installs Debian's), else the static build shipped in npm. */
function locate(name: string, npmPackage: string): string {
  try {
    execFileSync(name, ["-version"], { stdio: "ignore" });
    return name;
  } catch {
    return (require(npmPackage) as { path: string }).path;
  }
}

export const FFMPEG = process.env.FFMPEG ?? locate("ffmpeg", "@ffmpeg-installer/ffmpeg");
export const FFPROBE = process.env.FFPROBE ?? locate("ffprobe", "@ffprobe-installer/ffprobe");
