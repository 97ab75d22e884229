/**
 * `althan-ota sign`: a signed OTA file (docs/FORMAT.md) from a payload, the manufacturer
 * key and chain, and a supplier key. Keys and certificates may be PEM or DER as openssl
 * writes them.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { certificateKey } from '../../device/pki/signer.js';
import { parseCertificate } from '../../device/pki/x509.js';
import { OtaError } from '../../device/errors.js';
import { ImageError } from '../../device/image/image-errors.js';
import { equalBytes, toHex } from '../../device/util/bytes.js';
import { parseFlags, UsageError, type Command } from '../command.js';
import { numberFlag } from '../image/number-flag.js';
import { signImage, type ImageSpec } from '../image/sign-image.js';
import { readPrivateKeyFile } from '../pki/keys.js';
import { readCertificateFile } from '../pki/pem.js';
import { signDigestRaw } from '../pki/sign.js';

export const sign: Command = {
  name: ['sign'],
  summary: 'build a signed OTA image: manifest, manufacturer signature and chain, payload, GBCS supplier trailer',
  usage:
    'althan-ota sign --payload FILE --out FILE --manufacturer-key KEY --chain CERTS [--chain MORE] (--supplier-key KEY | --no-supplier-signature) ' +
    '--manufacturer-code N --image-type N --file-version N --hw-min N --hw-max N [--description TEXT] [--header-string TEXT] [--no-header-hw]',
  async run(args) {
    const { flags, positional } = parseFlags(args, ['no-supplier-signature', 'no-header-hw']);
    if (positional.length) throw new UsageError(`unexpected argument ${positional[0]}`);
    const need = (name: string): string => {
      const v = flags.get(name)?.[0];
      if (v === undefined) throw new UsageError(`--${name} is required`);
      return v;
    };
    const chainFiles = flags.get('chain') ?? [];
    if (chainFiles.length === 0) throw new UsageError('--chain is required (leaf certificate first; the anchor is not included)');
    const given = chainFiles.flatMap((f) => readCertificateFile(f));
    // The anchor is the device's build constant, never carried: a self-signed certificate
    // in --chain (a vendor's full-chain PEM) is left out.
    const chain = given.filter((der) => {
      const c = parseCertificate(der);
      return !equalBytes(c.subject.der, c.issuer.der);
    });
    if (chain.length === 0) throw new UsageError('--chain holds only self-signed certificates: give the signing certificate (leaf first)');
    if (chain.length < given.length) console.log(`left out ${given.length - chain.length} self-signed certificate(s) from --chain: the anchor is not carried`);
    const manufacturer = readPrivateKeyFile(need('manufacturer-key'));
    if (!equalBytes(certificateKey(chain[0]).publicKey, manufacturer.publicKey)) {
      throw new UsageError('the manufacturer key does not match the first certificate of --chain (the leaf comes first)');
    }
    const noSupplier = flags.has('no-supplier-signature');
    if (noSupplier === flags.has('supplier-key')) throw new UsageError('give exactly one of --supplier-key or --no-supplier-signature');
    const supplier = noSupplier ? undefined : readPrivateKeyFile(need('supplier-key'));
    const spec: ImageSpec = {
      manufacturerCode: numberFlag(flags, 'manufacturer-code', 0xffff),
      imageType: numberFlag(flags, 'image-type', 0xffff),
      fileVersion: numberFlag(flags, 'file-version', 0xffffffff),
      minHardwareVersion: numberFlag(flags, 'hw-min', 0xffff),
      maxHardwareVersion: numberFlag(flags, 'hw-max', 0xffff),
      payload: Uint8Array.from(readFileSync(need('payload'))),
      headerHardwareVersions: !flags.has('no-header-hw'),
    };
    // Every device refuses an empty payload (IMG_PAYLOAD_EMPTY): never sign one.
    if (spec.payload.length === 0) throw new OtaError(ImageError.payloadEmpty, `${need('payload')} is empty: a device refuses an image with no payload`);
    const description = flags.get('description')?.[0];
    if (description !== undefined) spec.description = description;
    const headerString = flags.get('header-string')?.[0];
    if (headerString !== undefined) spec.headerString = headerString;
    if (spec.minHardwareVersion > spec.maxHardwareVersion) throw new UsageError('--hw-min is above --hw-max');
    const image = signImage(spec, {
      manufacturer: (d) => signDigestRaw(manufacturer.privateKey, d),
      chain,
      ...(supplier ? { supplier: (d: Uint8Array) => signDigestRaw(supplier.privateKey, d) } : {}),
    });
    const out = need('out');
    writeFileSync(out, image.file);
    console.log(`${out}: ${image.file.length} bytes, payload ${spec.payload.length} bytes, chain of ${chain.length}`);
    console.log(`Manufacturer Image Hash ${toHex(image.manufacturerImageHash)}`);
    console.log(supplier ? 'GBCS trailer: supplier signature' : 'GBCS trailer: none (devices with SUPPLIER_SIGNATURE_REQUIRED refuse this image)');
    return 0;
  },
};
