/**
 * Fuzzing the image verifier in every run: 100,000 structure-aware mutations of a signed
 * image from a fixed seed. Never an untyped throw, never an accepted mutation, never a
 * hang (the parser's own step bound: IMG_STEP_LIMIT must never fire, and every input
 * ends by construction), and the unmutated control accepted before and after.
 *
 * Cost: a P-256 verify is ~1000x a parse, so the mutation weights keep the inputs that
 * get as far as a signature to about a quarter (at least a fifth is asserted); every one
 * of their verifications is real.
 */
import { describe, expect, it } from 'vitest';
import { nobleP256 } from '../../device/crypto/noble-p256.js';
import { nobleSha256 } from '../../device/crypto/noble-sha256.js';
import { isOtaError } from '../../device/errors.js';
import {
  ImageSession,
  verifyImage,
  type ImageSessionOptions,
  type VerifiedImage,
} from '../../device/image/image-session.js';
import type { P256Verifier } from '../../device/ports.js';
import { equalBytes, toHex } from '../../device/util/bytes.js';
import { createTestPki, signDigestRaw } from '../../tools/pki/index.js';
import { signImage } from '../../tools/image/sign-image.js';
import { Rng } from '../../sim/rng.js';
import { ImageMutator } from './image-mutator.js';
import { DEVICE, spec } from './signed-fixture.js';
import { pattern } from './structural-fixture.js';

const SEED = 0x5eed_0001;
const INPUTS = 100_000;
const PAYLOAD = 512;

/** The real verifier port, counted: every call is a full P-256 verification. */
class CountingVerifier implements P256Verifier {
  calls = 0;
  verify(digest: Uint8Array, signature: Uint8Array, publicKey: Uint8Array, format: 'der' | 'raw'): boolean {
    this.calls++;
    return nobleP256.verify(digest, signature, publicKey, format);
  }
}

/** Feeds `file` in random chunk sizes through a session (the streaming path). */
function verifyChunked(file: Uint8Array, options: ImageSessionOptions, rng: Rng): VerifiedImage {
  const s = new ImageSession(options);
  let o = 0;
  while (o < file.length) {
    const end = Math.min(file.length, o + rng.int(1, 200));
    while (o < end) o += s.push(file.subarray(o, end)).consumed;
  }
  return s.finish();
}

describe('image verifier fuzz', () => {
  it(`${INPUTS} structure-aware mutations from seed ${SEED.toString(16)}: all refused with a typed code`, () => {
    const pki = createTestPki({ seed: 'fuzz pki' });
    const foreign = createTestPki({ seed: 'fuzz foreign' });
    const payload = pattern(PAYLOAD, 9);
    const s = spec({ payload });
    const image = signImage(s, {
      manufacturer: (d) => signDigestRaw(pki.manufacturerSigner.privateKey, d),
      chain: [pki.manufacturerSigner.der],
      supplier: (d) => signDigestRaw(pki.supplier1.privateKey, d),
    });
    const mutator = new ImageMutator({
      header: {
        manufacturerCode: s.manufacturerCode,
        imageType: s.imageType,
        fileVersion: s.fileVersion,
        headerString: `althan-ota ${s.fileVersion.toString(16)}`,
        minHardwareVersion: s.minHardwareVersion,
        maxHardwareVersion: s.maxHardwareVersion,
      },
      manifest: image.manifest,
      signature: image.manifestSignature,
      certs: [pki.manufacturerSigner.der],
      payload,
      supplierSignature: image.supplierSignature!,
      foreign: {
        certs: [foreign.manufacturerSigner.der],
        sign: (m) => signDigestRaw(foreign.manufacturerSigner.privateKey, nobleDigest(m)),
      },
    });
    expect(toHex(mutator.control)).toBe(toHex(image.file));

    const verifier = new CountingVerifier();
    const options: ImageSessionOptions = {
      crypto: { sha256: nobleSha256, p256: verifier },
      trust: pki.trustStore,
      device: DEVICE,
      bankSize: 1024,
    };
    const control = verifyImage(mutator.control, options);
    expect(toHex(control.manufacturerImageHash)).toBe(toHex(image.manufacturerImageHash));

    const rng = new Rng(SEED);
    const codes = new Map<string, number>();
    const kinds = new Map<string, number>();
    let identical = 0;
    const identicalKinds = new Map<string, number>();
    let reached = 0;
    let chunked = 0;
    const failures: string[] = [];
    const started = performance.now();
    for (let n = 0; n < INPUTS; n++) {
      const m = mutator.mutate(rng);
      if (m.file.length === mutator.control.length && equalBytes(m.file, mutator.control)) {
        identical++;
        identicalKinds.set(m.kind, (identicalKinds.get(m.kind) ?? 0) + 1);
        continue;
      }
      kinds.set(m.kind, (kinds.get(m.kind) ?? 0) + 1);
      const before = verifier.calls;
      let code: string;
      try {
        const useChunks = rng.chance(0.1);
        if (useChunks) chunked++;
        useChunks ? verifyChunked(m.file, options, rng) : verifyImage(m.file, options);
        code = 'ACCEPTED';
      } catch (e) {
        code = isOtaError(e) ? e.code : 'UNTYPED';
        if (!isOtaError(e) && failures.length < 5) failures.push(`${m.kind}: untyped ${String(e)}`);
      }
      if (verifier.calls > before) reached++;
      if ((code === 'ACCEPTED' || code === 'IMG_STEP_LIMIT') && failures.length < 5)
        failures.push(`${m.kind}: ${code} ${toHex(m.file).slice(0, 200)}`);
      codes.set(code, (codes.get(code) ?? 0) + 1);
    }
    const seconds = (performance.now() - started) / 1000;
    const tested = INPUTS - identical;
    const sorted = (m: Map<string, number>) =>
      [...m.entries()]
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => `${k}=${v}`)
        .join(' ');
    console.log(
      `image fuzz: seed 0x${SEED.toString(16)}, ${INPUTS} drawn, ${identical} identical to the control (not counted), ${tested} mutated inputs in ${seconds.toFixed(1)} s`,
    );
    console.log(
      `image fuzz: ${reached} reached a signature check (${((100 * reached) / tested).toFixed(1)}%), ${verifier.calls} P-256 verifications, ${chunked} fed in random chunks`,
    );
    console.log(`image fuzz: mutations ${sorted(kinds)}`);
    console.log(`image fuzz: identical draws ${sorted(identicalKinds)}`);
    console.log(`image fuzz: outcomes ${sorted(codes)}`);

    expect(failures).toEqual([]);
    expect(codes.get('ACCEPTED')).toBeUndefined();
    expect(codes.get('UNTYPED')).toBeUndefined();
    expect(codes.get('IMG_STEP_LIMIT')).toBeUndefined();
    expect(tested).toBeGreaterThanOrEqual(INPUTS * 0.99);
    expect(reached / tested).toBeGreaterThanOrEqual(0.2);
    // Each family of refusals the format defines shows up: the mutations reach every layer.
    for (const code of [
      'IMG_BAD_MAGIC',
      'IMG_HEADER_LENGTH',
      'IMG_UNSIGNED',
      'IMG_TAG_UNEXPECTED',
      'IMG_ELEMENT_LENGTH',
      'IMG_MANIFEST_ENCODING',
      'IMG_MANIFEST_CRITICAL',
      'IMG_HEADER_MISMATCH',
      'IMG_CHAIN',
      'IMG_CHAIN_ENCODING',
      'IMG_MANIFEST_SIGNATURE',
      'IMG_PAYLOAD_DIGEST',
      'IMG_TRAILER',
      'IMG_SUPPLIER_SIGNATURE',
      'IMG_TRAILING_BYTES',
      'IMG_TRUNCATED',
    ]) {
      expect(codes.get(code) ?? 0, code).toBeGreaterThan(0);
    }
    // The control is still accepted with the same hash: no state leaked between inputs.
    expect(toHex(verifyImage(mutator.control, options).manufacturerImageHash)).toBe(
      toHex(control.manufacturerImageHash),
    );
    // A fixed amount of work (about 25,000 real verifications): a loaded 2-core runner must not time it out.
  }, 900_000);

  it('header bytes the device never uses (stack version, header string) change nothing it decides', () => {
    const pki = createTestPki({ seed: 'fuzz pki' });
    const image = signImage(spec({ payload: pattern(PAYLOAD, 9) }), {
      manufacturer: (d) => signDigestRaw(pki.manufacturerSigner.privateKey, d),
      chain: [pki.manufacturerSigner.der],
      supplier: (d) => signDigestRaw(pki.supplier1.privateKey, d),
    });
    const options: ImageSessionOptions = {
      crypto: { sha256: nobleSha256, p256: nobleP256 },
      trust: pki.trustStore,
      device: DEVICE,
      bankSize: 1024,
    };
    const control = verifyImage(image.file, options);
    const rng = new Rng(SEED + 1);
    for (let n = 0; n < 20; n++) {
      const f = image.file.slice();
      f[rng.int(18, 52)] ^= 1 + rng.int(0, 255);
      const v = verifyImage(f, options);
      expect(v.manifest).toEqual(control.manifest);
      expect(toHex(v.manufacturerImageHash)).toBe(toHex(control.manufacturerImageHash));
    }
  });
});

function nobleDigest(m: Uint8Array): Uint8Array {
  const h = nobleSha256.create();
  h.update(m);
  return h.digest();
}
