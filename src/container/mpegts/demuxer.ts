import { ParseError } from "../../core/errors.ts";
import type { UnitArena } from "../../core/unit-arena.ts";
import { PID_NULL, PID_PAT, STREAM_TYPE, TS_PACKET_SIZE } from "./constants.ts";
import { readTsHeader, TsHeader } from "./packet.ts";
import { PcrMonitor } from "./pcr-monitor.ts";
import { PesAssembler, type PesFailure, type PesPacket } from "./pes-assembler.ts";
import { CrcError, parsePat, parsePmt, type PatEntry, type Pmt, type PmtStream } from "./psi.ts";
import { SectionAssembler } from "./section-assembler.ts";
import { type PacketHandler, TsSync } from "./sync.ts";
import { TimestampUnwrapper } from "./timestamp.ts";

export type { PesPacket } from "./pes-assembler.ts";

export interface TsDemuxerOptions {
  /** program_number to follow; default: the first program with video. */
  readonly program?: number;
  /** Where PES bytes go (reused memory); without it each PES gets its own buffer. */
  readonly arena?: UnitArena;
}

export interface TsDemuxerStats {
  packets: number;
  ccErrors: number;
  resyncs: number;
  bytesSkipped: number;
  /** Partial packets dropped because the next chunk started a new one (a datagram cut short). */
  truncatedPackets: number;
  transportErrors: number;
  scrambled: number;
  badPackets: number;
  /** Packets on PIDs the followed program does not name: other programs, or data a PMT does not point at (SI tables aside). */
  ignoredPackets: number;
  /** PES dropped after lost packets, or larger than MAX_PES_SIZE. */
  pesDropped: number;
  /** PES whose PES_packet_length promised more data than came before the next unit start. */
  pesTruncated: number;
  pesErrors: number;
  crcErrors: number;
  psiErrors: number;
  unsupportedStreams: number;
  /** PATs (each new version) that do not list the program asked for in the options. */
  programNotFound: number;
  /** PCR steps backwards or beyond MAX_PCR_STEP_90K that no discontinuity_indicator announced. */
  pcrDiscontinuities: number;
  /** New time bases announced by discontinuity_indicator on the PCR PID (2.4.3.5): not errors. */
  pcrSignalledDiscontinuities: number;
}

/** The followed program: only streams with a supported stream_type. */
export interface TsProgram {
  readonly programNumber: number;
  readonly pcrPid: number;
  readonly streams: readonly PmtStream[];
}

const SUPPORTED: ReadonlySet<number> = new Set<number>([STREAM_TYPE.H264, STREAM_TYPE.H265, STREAM_TYPE.AAC_ADTS]);
/**
 * PIDs below this carry tables, not programs: 0x0000-0x000F are reserved by
 * ISO/IEC 13818-1 Table 2-3 and DVB puts its SI (SDT, EIT, ...) in
 * 0x0010-0x001F (ETSI EN 300 468 5.1.3). Skipping them is no sign of trouble.
 */
const FIRST_PROGRAM_PID = 0x0020;
const VIDEO: ReadonlySet<number> = new Set<number>([STREAM_TYPE.H264, STREAM_TYPE.H265]);
/** PIDs are 13 bits (2.4.3.2): per-PID state lives in arrays indexed by PID. */
const PID_COUNT = 0x2000;

/**
 * MPEG-TS demultiplexer (ISO/IEC 13818-1): bytes in any chunking, PES packets
 * out for the streams of one program. Errors in the input are counted in
 * `stats`, never thrown.
 */
export class TsDemuxer {
  readonly stats: TsDemuxerStats = {
    packets: 0, ccErrors: 0, resyncs: 0, bytesSkipped: 0, truncatedPackets: 0, transportErrors: 0, scrambled: 0,
    badPackets: 0, ignoredPackets: 0, pesDropped: 0, pesTruncated: 0, pesErrors: 0, crcErrors: 0, psiErrors: 0,
    unsupportedStreams: 0, programNotFound: 0, pcrDiscontinuities: 0, pcrSignalledDiscontinuities: 0,
  };
  program: TsProgram | undefined;
  /** Last program_clock_reference_base seen on the PCR PID (raw 33-bit, 90 kHz). */
  pcr: number | undefined;

  private readonly sync = new TsSync(this.stats);
  /** Last continuity_counter per PID, -1 before the first packet with a payload. */
  private readonly lastCc = new Int8Array(PID_COUNT).fill(-1);
  /** The one header every packet is read into. */
  private readonly header = new TsHeader();
  private readonly onPacket: PacketHandler = (buf, at) => this.packet(buf, at);
  private readonly sections = new Map<number, SectionAssembler>();
  private readonly lastSectionCrc = new Map<number, number>();
  private pat: PatEntry[] = [];
  private readonly pmts = new Map<number, Pmt>();
  private readonly pes = new Map<number, PesAssembler>();
  /** The same assemblers by PID, for the per-packet lookup. */
  private readonly pesByPid: (PesAssembler | undefined)[] = new Array<PesAssembler | undefined>(PID_COUNT).fill(undefined);
  private readonly clock = { last: undefined as number | undefined };
  private readonly pcrMonitor = new PcrMonitor();
  private out: PesPacket[] = [];

  constructor(private readonly options: TsDemuxerOptions = {}) {}

  push(chunk: Uint8Array): PesPacket[] {
    this.sync.push(chunk, this.onPacket);
    // The caller may reuse `chunk` (a socket's batch buffer): copy the packets the assemblers still point at.
    for (const a of this.pes.values()) a.settle();
    return this.take();
  }

  /** Bytes held between pushes (partial packets and PES in progress): bounded whatever the input. */
  get bufferedBytes(): number {
    let n = this.sync.buffered;
    for (const a of this.pes.values()) n += a.buffered;
    return n;
  }

  /** Emits PES packets still waiting for the next unit start (end of input). */
  flush(): PesPacket[] {
    this.sync.flush(this.onPacket);
    for (const a of this.pes.values()) this.count(a.finish(this.out));
    return this.take();
  }

  private take(): PesPacket[] {
    const out = this.out;
    this.out = [];
    return out;
  }

  private packet(buf: Uint8Array, at: number): void {
    this.stats.packets++;
    const p = this.header;
    try {
      readTsHeader(buf, at, p);
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      this.stats.badPackets++;
      return;
    }
    const pid = p.pid;
    if (pid === PID_NULL) return;
    if (p.transportError) {
      this.stats.transportErrors++;
      this.lost(pid);
      return;
    }
    if (pid === this.program?.pcrPid) this.clockReference(p);
    const pes = this.pesByPid[pid];
    if (!pes && pid !== PID_PAT && !this.isPmtPid(pid)) {
      if (pid >= FIRST_PROGRAM_PID && pid !== this.program?.pcrPid) this.stats.ignoredPackets++;
      return;
    }
    if (!this.continuity(p)) return;
    if (p.scrambled) {
      this.stats.scrambled++;
      return;
    }
    if (pes) this.count(pes.push(p, buf, at, this.out));
    else this.section(p, buf, at);
  }

  /** PCR on the PCR PID: a jump nobody announced is counted (2.4.3.5, 2.7.2). */
  private clockReference(p: TsHeader): void {
    if (p.discontinuity) this.pcrMonitor.announce();
    if (p.pcr < 0) return;
    this.pcr = p.pcr;
    const step = this.pcrMonitor.push(p.pcr);
    if (step === "jump") this.stats.pcrDiscontinuities++;
    else if (step === "signalled") this.stats.pcrSignalledDiscontinuities++;
  }

  /** Continuity counter check (2.4.3.3); false for a duplicate packet to skip. */
  private continuity(p: TsHeader): boolean {
    if (!p.hasPayload) return true; // the counter only advances with a payload
    const last = this.lastCc[p.pid]!;
    this.lastCc[p.pid] = p.continuityCounter;
    if (last < 0 || p.discontinuity) return true;
    if (p.continuityCounter === last) return false; // one duplicate is allowed and carries nothing new
    if (p.continuityCounter !== ((last + 1) & 0x0f)) {
      this.stats.ccErrors++;
      this.lost(p.pid);
    }
    return true;
  }

  private lost(pid: number): void {
    this.pesByPid[pid]?.markBroken();
    this.sections.get(pid)?.reset();
  }

  private count(result: PesFailure | undefined): void {
    if (result === "dropped") this.stats.pesDropped++;
    else if (result === "truncated") this.stats.pesTruncated++;
    else if (result === "error") this.stats.pesErrors++;
  }

  private isPmtPid(pid: number): boolean {
    for (const e of this.pat) if (e.pmtPid === pid) return true;
    return false;
  }

  private section(p: TsHeader, buf: Uint8Array, at: number): void {
    const pid = p.pid;
    let assembler = this.sections.get(pid);
    if (!assembler) this.sections.set(pid, (assembler = new SectionAssembler()));
    try {
      assembler.push(buf.subarray(at + p.payloadOffset, at + TS_PACKET_SIZE), p.payloadUnitStart, (s) => this.table(pid, s));
    } catch (e) {
      if (e instanceof CrcError) this.stats.crcErrors++;
      else if (e instanceof ParseError) this.stats.psiErrors++;
      else throw e;
    }
  }

  private table(pid: number, s: Uint8Array): void {
    // Tables repeat every ~100 ms unchanged: the CRC tells a repeat apart cheaply.
    const crc = ((s[s.length - 4]! << 24) | (s[s.length - 3]! << 16) | (s[s.length - 2]! << 8) | s[s.length - 1]!) >>> 0;
    if (this.lastSectionCrc.get(pid) === crc) return;
    if (pid === PID_PAT) {
      const pat = parsePat(s);
      this.lastSectionCrc.set(pid, crc);
      this.pat = this.options.program === undefined ? pat : pat.filter((e) => e.programNumber === this.options.program);
      if (this.pat.length === 0 && this.options.program !== undefined) this.stats.programNotFound++;
      return;
    }
    const pmt = parsePmt(s);
    this.lastSectionCrc.set(pid, crc);
    this.pmts.set(pmt.programNumber, pmt);
    if (this.program && this.program.programNumber !== pmt.programNumber) return;
    if (this.program || this.chooses(pmt)) this.follow(pmt);
  }

  /** Default choice: the first program with video; failing that, the first in the PAT. */
  private chooses(pmt: Pmt): boolean {
    if (this.options.program !== undefined) return pmt.programNumber === this.options.program;
    if (pmt.streams.some((s) => VIDEO.has(s.streamType))) return true;
    if (!this.pat.every((e) => this.pmts.has(e.programNumber))) return false;
    if (this.pat.some((e) => this.pmts.get(e.programNumber)!.streams.some((s) => VIDEO.has(s.streamType)))) return false;
    return this.pat[0]?.programNumber === pmt.programNumber;
  }

  private follow(pmt: Pmt): void {
    const streams: PmtStream[] = [];
    for (const s of pmt.streams) {
      if (!SUPPORTED.has(s.streamType)) {
        this.stats.unsupportedStreams++;
        continue;
      }
      streams.push(s);
      const old = this.pes.get(s.pid);
      if (!old || old.streamType !== s.streamType) {
        const assembler = new PesAssembler(s.pid, s.streamType, new TimestampUnwrapper(this.clock), this.options.arena);
        this.pes.set(s.pid, assembler);
        this.pesByPid[s.pid] = assembler;
      }
    }
    for (const pid of [...this.pes.keys()]) {
      if (streams.some((s) => s.pid === pid)) continue;
      this.pes.delete(pid);
      this.pesByPid[pid] = undefined;
    }
    if (this.program?.pcrPid !== pmt.pcrPid) this.pcrMonitor.reset();
    this.program = { programNumber: pmt.programNumber, pcrPid: pmt.pcrPid, streams };
  }
}
