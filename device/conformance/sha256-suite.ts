/**
 * Sha256 port contract: FIPS 180-4 digests of known messages, whatever the split into
 * `update` calls, from views that start inside a larger buffer, and independent contexts.
 */
import type { Sha256 } from '../ports.js';
import { toHex } from '../util/index.js';
import { must, SuiteRun, type CheckResult } from './report.js';

const EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
/** "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq" (FIPS 180-2 appendix B.2). */
const TWO_BLOCK = '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1';
/** One million 'a' (FIPS 180-2 appendix B.3). */
const MILLION_A = 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0';

function ascii(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
  return b;
}

function digestOf(port: Sha256, parts: Uint8Array[]): string {
  const h = port.create();
  for (const p of parts) h.update(p);
  const d = h.digest();
  must(d instanceof Uint8Array && d.length === 32, `digest is not 32 bytes (${d?.length})`);
  return toHex(d);
}

export function runSha256Suite(port: Sha256): CheckResult[] {
  const run = new SuiteRun('Sha256');
  const twoBlock = ascii('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq');
  run.check('empty message', () => {
    const got = digestOf(port, []);
    must(got === EMPTY, `got ${got}`);
  });
  run.check('"abc"', () => {
    const got = digestOf(port, [ascii('abc')]);
    must(got === ABC, `got ${got}`);
  });
  run.check('448-bit message (two blocks of padding)', () => {
    const got = digestOf(port, [twoBlock]);
    must(got === TWO_BLOCK, `got ${got}`);
  });
  run.check('any split into updates, empty updates included', () => {
    for (const cut of [1, 3, 55, 56]) {
      const got = digestOf(port, [twoBlock.subarray(0, cut), new Uint8Array(0), twoBlock.subarray(cut)]);
      must(got === TWO_BLOCK, `split at ${cut}: got ${got}`);
    }
  });
  run.check('views into a larger buffer hash only their own bytes', () => {
    const big = new Uint8Array(64).fill(0x7e);
    big.set(ascii('abc'), 17);
    const got = digestOf(port, [big.subarray(17, 18), big.subarray(18, 20)]);
    must(got === ABC, `got ${got}`);
  });
  run.check('one million "a" in 1000-byte updates', () => {
    const chunk = new Uint8Array(1000).fill(0x61);
    const h = port.create();
    for (let i = 0; i < 1000; i++) h.update(chunk);
    const got = toHex(h.digest());
    must(got === MILLION_A, `got ${got}`);
  });
  run.check('two contexts at once do not disturb each other', () => {
    const a = port.create();
    const b = port.create();
    a.update(ascii('ab'));
    b.update(twoBlock);
    a.update(ascii('c'));
    const da = toHex(a.digest());
    const db = toHex(b.digest());
    must(da === ABC && db === TWO_BLOCK, `got ${da} and ${db}`);
  });
  run.check('the caller may reuse its buffer after update', () => {
    const buf = ascii('abc');
    const h = port.create();
    h.update(buf);
    buf.fill(0);
    const got = toHex(h.digest());
    must(got === ABC, `got ${got}`);
  });
  return run.results;
}
