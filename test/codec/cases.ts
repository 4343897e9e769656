/**
 * SPS NAL units from real encoders (ffmpeg 5 libx264 / libx265, testsrc2),
 * with the size ffprobe reports. Shared by parser and fuzz tests.
 */
export interface SpsCase {
  readonly name: string;
  readonly hex: string;
  readonly width: number;
  readonly height: number;
  readonly profile: number;
  readonly level: number;
}

export const H264_SPS_CASES: readonly SpsCase[] = [
  { name: "x264 high 1280x720", hex: "6764001facd9405005bb011000000300100000030320f1831960", width: 1280, height: 720, profile: 100, level: 31 },
  { name: "x264 high 1920x1080 (cropped 1088)", hex: "67640028acd940780227e5c044000003000400000300c83c60c658", width: 1920, height: 1080, profile: 100, level: 40 },
  { name: "x264 high 854x480 (cropped)", hex: "6764001eacd940d83de6f011000003000100000300320f162d96", width: 854, height: 480, profile: 100, level: 30 },
  { name: "x264 constrained baseline 320x240", hex: "6742c00dd90141fb011000000300100000030320f142a480", width: 320, height: 240, profile: 66, level: 13 },
  { name: "x264 high 4:4:4 352x288", hex: "67f4000d919b282c12d808800000030080000019078a14cb", width: 352, height: 288, profile: 244, level: 13 },
  { name: "x264 high 640x360", hex: "6764001eacd940a02ff97011000003000100000300320f162d96", width: 640, height: 360, profile: 100, level: 30 },
  { name: "x264 interlaced 720x576", hex: "6764001eacd940b424d8088000000300800000190f8a14cb", width: 720, height: 576, profile: 100, level: 30 },
  { name: "x264 4:4:4 odd 98x74", hex: "67f4000a919b28e5f1f3e022000003000200000300641e244b2c", width: 98, height: 74, profile: 244, level: 10 },
];

export const H265_SPS_CASES: readonly SpsCase[] = [
  { name: "x265 main 1280x720", hex: "42010101600000030090000003000003005da00280802d165959a4932bc05a020000030002000003003210", width: 1280, height: 720, profile: 1, level: 93 },
  { name: "x265 main 1920x1080 (cropped)", hex: "420101016000000300900000030000030078a003c08010e596566924caf0168080000003008000000c84", width: 1920, height: 1080, profile: 1, level: 120 },
  { name: "x265 main 854x480 (cropped)", hex: "42010101600000030090000003000003005aa006b201e1d796566924caf0168080000003008000000c84", width: 854, height: 480, profile: 1, level: 90 },
  { name: "x265 main10 640x360", hex: "42010102200000030090000003000003003fa005020169365959a4932bc05a020000030002000003003210", width: 640, height: 360, profile: 2, level: 63 },
  { name: "x265 rext 4:4:4 352x288", hex: "4201010408000003009e0800000300003c9001610090b2cacd24995e02d0100000030010000003019080", width: 352, height: 288, profile: 4, level: 60 },
  { name: "x265 rext 4:4:4 odd 98x74", hex: "4201010408000003009e0800000300001e90069028e79f2cacd24995e02d010000030001000003001908", width: 98, height: 74, profile: 4, level: 30 },
];
