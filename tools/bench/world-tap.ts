/**
 * Counters attached to one emulated update (runUpdateWorld's `onWorld`): every radio
 * frame by command and its airtime, and every flash operation by region, with a check
 * for read-modify-write (an erase followed by a program that puts back data the erase
 * destroyed). Observers only: nothing here changes what the device or the CH do.
 */
import { FRAME_OVERHEAD_BYTES } from '../../device/agent/index.js';
import type { StorageLayout } from '../../device/storage/index.js';
import { decodeOtaFrame } from '../../device/zigbee/index.js';
import {
  type World,
  type FlashOpRecord,
  runUpdateWorld,
  type WorldOptions,
  type WorldResult,
} from '../../sim/index.js';

export type Region = 'bank' | 'metadata' | 'journal' | 'boot record';
export const REGIONS: readonly Region[] = ['boot record', 'journal', 'metadata', 'bank'];

/**
 * A program restoring at least this many bytes of what its sector held before the erase
 * counts as read-modify-write; shorter ones are the constant markers every record starts
 * or ends with (magic, commit word), which a new record repeats by design.
 */
export const RMW_MIN_BYTES = 32;

/** 2.4 GHz O-QPSK: 250 kbit/s. */
const CHANNEL_BITS_PER_MS = 250;

export function frameAirtimeMs(zclBytes: number): number {
  return ((zclBytes + FRAME_OVERHEAD_BYTES) * 8) / CHANNEL_BITS_PER_MS;
}

export function regionOf(layout: StorageLayout, sector: number): Region {
  if (layout.bootSectors.includes(sector)) return 'boot record';
  if (layout.journalSectors.includes(sector)) return 'journal';
  for (const b of layout.banks) {
    if (sector >= b.metaFirstSector && sector < b.metaFirstSector + b.metaSectorCount) return 'metadata';
  }
  return 'bank';
}

export interface RadioTap {
  /** Frames sent either way (lost ones included), by command name. */
  frames: Map<string, number>;
  /** Frames the device sent (lost ones included). */
  framesUp: number;
  /** Airtime of every frame, both directions, with the per-frame overhead. */
  airtimeMs: number;
  /** Airtime between the first block request and the last block response. */
  downloadAirtimeMs: number;
  firstBlockAtMs: number;
  lastBlockAtMs: number;
  /** Times the device sent a block request (for "time to resume after boot"). */
  blockRequestTimes: number[];
}

export interface FlashTap {
  erases: Map<Region, number>;
  programs: Map<Region, number>;
  programmedBytes: Map<Region, number>;
  /** Erases per sector during the run. */
  sectorErases: Map<number, number>;
  readModifyWrites: number;
}

export interface TappedUpdate {
  result: WorldResult;
  world: World;
  radio: RadioTap;
  flash: FlashTap;
}

function bump<K>(m: Map<K, number>, k: K, by = 1): void {
  m.set(k, (m.get(k) ?? 0) + by);
}

/**
 * A log that watches operations as the chip records them (before an erase changes the
 * bytes): it snapshots each erased sector, and checks each program against that snapshot
 * once the program has landed (at the next operation, or at the end).
 */
class WatchingLog extends Array<FlashOpRecord> {
  world!: World;
  tap!: FlashTap;
  private before = new Map<number, Uint8Array>();
  private pending: FlashOpRecord | undefined;

  override push(...items: FlashOpRecord[]): number {
    for (const op of items) this.see(op);
    return 0;
  }

  private see(op: FlashOpRecord): void {
    this.settle();
    const media = this.world.media;
    const s = media.profile.sectorSize;
    const sector = Math.floor(op.offset / s);
    const region = regionOf(this.world.layout, sector);
    if (op.kind === 'erase') {
      bump(this.tap.erases, region);
      bump(this.tap.sectorErases, sector);
      this.before.set(sector, media.bytes.slice(sector * s, sector * s + s));
    } else {
      bump(this.tap.programs, region);
      bump(this.tap.programmedBytes, region, op.length);
      this.pending = op;
    }
  }

  /** The last program has landed: did it put back what an erase of its sector removed? */
  settle(): void {
    const op = this.pending;
    this.pending = undefined;
    if (!op || op.cut) return;
    const media = this.world.media;
    const s = media.profile.sectorSize;
    const sector = Math.floor(op.offset / s);
    const old = this.before.get(sector);
    if (!old) return;
    const at = op.offset - sector * s;
    let same = true;
    let erasedOnly = true;
    for (let i = 0; i < op.length && at + i < s; i++) {
      const b = media.bytes[op.offset + i];
      if (b !== old[at + i]) same = false;
      if (old[at + i] !== media.profile.erasedValue) erasedOnly = false;
    }
    if (same && !erasedOnly && op.length >= RMW_MIN_BYTES) this.tap.readModifyWrites++;
  }
}

export function tappedUpdate(options: WorldOptions): TappedUpdate {
  const radio: RadioTap = {
    frames: new Map(),
    framesUp: 0,
    airtimeMs: 0,
    downloadAirtimeMs: 0,
    firstBlockAtMs: NaN,
    lastBlockAtMs: NaN,
    blockRequestTimes: [],
  };
  const flash: FlashTap = {
    erases: new Map(),
    programs: new Map(),
    programmedBytes: new Map(),
    sectorErases: new Map(),
    readModifyWrites: 0,
  };
  let world: World | undefined;
  const log = new WatchingLog();
  const download: { at: number; ms: number }[] = [];
  const result = runUpdateWorld({
    ...options,
    onWorld: (w) => {
      world = w;
      log.world = w;
      log.tap = flash;
      w.media.log = log;
      w.link.onFrame = (direction, frame, atMs) => {
        if (direction === 'up') radio.framesUp++;
        let name = 'undecodable';
        try {
          name = decodeOtaFrame(frame).command.name;
        } catch {
          // counted as undecodable
        }
        bump(radio.frames, name);
        const air = frameAirtimeMs(frame.length);
        radio.airtimeMs += air;
        download.push({ at: atMs, ms: air });
        if (name === 'imageBlockRequest') {
          if (Number.isNaN(radio.firstBlockAtMs)) radio.firstBlockAtMs = atMs;
          radio.blockRequestTimes.push(atMs);
        }
        if (name === 'imageBlockResponse') radio.lastBlockAtMs = atMs;
      };
      options.onWorld?.(w);
    },
  });
  log.settle();
  for (const f of download)
    if (f.at >= radio.firstBlockAtMs && f.at <= radio.lastBlockAtMs) radio.downloadAirtimeMs += f.ms;
  if (!world) throw new Error('runUpdateWorld built no world');
  world.media.log = undefined;
  return { result, world, radio, flash };
}

/** Share of the channel the download occupied: its frames' airtime over the time it took. */
export function airtimeShare(radio: RadioTap): number {
  const span = radio.lastBlockAtMs - radio.firstBlockAtMs;
  return span > 0 ? radio.downloadAirtimeMs / span : NaN;
}
