/**
 * The agent's own journal records (types above device/storage's 1..3):
 *
 * | type | name         | body (deterministic CBOR map)                                        |
 * |------|--------------|----------------------------------------------------------------------|
 * | 16   | HELD_TRAILER | 1 file version, 2 manifest digest (32), 3 GBCS trailer (66 bytes)     |
 * | 17   | ARMED        | 1 file version, 2 payload digest (32); CBOR null = nothing armed      |
 *
 * HELD_TRAILER keeps the supplier signature of a downloaded image beside its metadata
 * record (which holds the prefix) so the whole image can be verified again from flash
 * after a reboot, without a second erase of the metadata sectors.
 * ARMED is written just before the boot record is switched to a trial: at the next boots
 * it tells the agent that an activation was attempted, so the outcome (confirmed, reverted
 * or interrupted) is reported exactly when it is known.
 */
import { OtaError } from '../errors.js';
import type { Journal } from '../storage/index.js';
import { decodeCbor, encodeCbor, type CborValue } from '../util/index.js';
import { AgentError } from './agent-errors.js';

export const AgentRecord = { heldTrailer: 16, armed: 17 } as const;

export interface HeldTrailer {
  fileVersion: number;
  manifestDigest: Uint8Array;
  trailer: Uint8Array;
}

export interface ArmedActivation {
  fileVersion: number;
  payloadDigest: Uint8Array;
}

const bad = (what: string): never => {
  throw new OtaError(AgentError.recordInvalid, what);
};

function readMap(body: Uint8Array | undefined): Map<unknown, unknown> | undefined {
  if (!body) return undefined;
  const v = decodeCbor(body, { maxDepth: 1 });
  if (v === null) return undefined;
  if (!(v instanceof Map)) return bad('agent record is not a map');
  return v as Map<unknown, unknown>;
}

function u32(m: Map<unknown, unknown>, k: number): number {
  const x = m.get(k);
  if (typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x > 0xffffffff) return bad(`agent record key ${k}`);
  return x;
}

function bytes(m: Map<unknown, unknown>, k: number, length: number): Uint8Array {
  const x = m.get(k);
  if (!(x instanceof Uint8Array) || x.length !== length) return bad(`agent record key ${k}`);
  return x;
}

export function recordHeldTrailer(journal: Journal, h: HeldTrailer): void {
  journal.append(
    AgentRecord.heldTrailer,
    encodeCbor(
      new Map<number, CborValue>([
        [1, h.fileVersion],
        [2, h.manifestDigest],
        [3, h.trailer],
      ]),
    ),
  );
}

export function readHeldTrailer(journal: Journal): HeldTrailer | undefined {
  const m = readMap(journal.latest(AgentRecord.heldTrailer));
  if (!m) return undefined;
  return { fileVersion: u32(m, 1), manifestDigest: bytes(m, 2, 32), trailer: bytes(m, 3, 66) };
}

export function recordArmed(journal: Journal, a: ArmedActivation | undefined): void {
  const body = a
    ? encodeCbor(
        new Map<number, CborValue>([
          [1, a.fileVersion],
          [2, a.payloadDigest],
        ]),
      )
    : encodeCbor(null);
  journal.append(AgentRecord.armed, body);
}

export function readArmed(journal: Journal): ArmedActivation | undefined {
  const m = readMap(journal.latest(AgentRecord.armed));
  if (!m) return undefined;
  return { fileVersion: u32(m, 1), payloadDigest: bytes(m, 2, 32) };
}
