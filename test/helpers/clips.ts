import { resolve } from "node:path";

/**
 * The built-in demo the server loops: libx264 Constrained Baseline (no
 * B-frames, so browsers decode it over WebRTC too) 640x360 25 fps with a
 * keyframe every second and a burnt-in clock, AAC-LC 48 kHz stereo, 8 s.
 */
export const DEMO_ASSET = resolve(import.meta.dir, "../../assets/demo.ts");

/**
 * The same picture and audio encoded with libx264 Main and B-frames (2, in a
 * pyramid), the source the demo was re-encoded from: what tests of decode
 * times, composition offsets and B-frame publishers feed the server.
 */
export const BFRAMES_CLIP = resolve(import.meta.dir, "../fixtures/demo-bframes.mpegts");
