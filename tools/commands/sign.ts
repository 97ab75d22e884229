/**
 * `althan-ota sign`: a signed OTA file (docs/FORMAT.md) from a payload, the manufacturer
 * key and chain, and a supplier key. Keys and certificates may be PEM or DER as openssl
 * writes them.
 */
import { certificateKey, parseCertificate } from '../../device/pki/index.js';
import { equalBytes, toHex, utf8Encode } from '../../device/util/index.js';
import { parseCommandArgs, refused, UsageCode, UsageError, type Command } from '../command.js';
import { OtaError } from '../../device/errors.js';
import { ImageError } from '../../device/image/index.js';
import { signImage, type ImageSpec } from '../image/sign-image.js';
import { readInput } from '../io/read-input.js';
import { writeFilesAllOrNone } from '../io/write-files.js';
import { ToolRefusal } from '../refusals.js';
import { readPrivateKeyFile } from '../pki/keys.js';
import { readCertificateFile } from '../pki/pem.js';
import { signDigestRaw } from '../pki/sign.js';

export const sign: Command = {
  name: ['sign'],
  summary: 'build a signed OTA image: manifest, manufacturer signature and chain, payload, GBCS supplier trailer',
  usage:
    'althan-ota sign --payload FILE --out FILE --manufacturer-key KEY --chain CERTS [--chain MORE] (--supplier-key KEY | --no-supplier-signature) ' +
    '--manufacturer-code N --image-type N --file-version N --hw-min N --hw-max N [--description TEXT] [--header-string TEXT] [--no-header-hw] [--json]',
  async run(args) {
    const a = parseCommandArgs(args, {
      payload: 'string',
      out: 'string',
      'manufacturer-key': 'string',
      chain: 'strings',
      'supplier-key': 'string',
      'no-supplier-signature': 'boolean',
      'manufacturer-code': 'string',
      'image-type': 'string',
      'file-version': 'string',
      'hw-min': 'string',
      'hw-max': 'string',
      description: 'string',
      'header-string': 'string',
      'no-header-hw': 'boolean',
      json: 'boolean',
    });
    // Every flag is checked before any file is read.
    const payloadFile = a.required('payload');
    const out = a.required('out');
    const manufacturerKeyFile = a.required('manufacturer-key');
    const chainFiles = a.list('chain');
    if (chainFiles.length === 0)
      throw new UsageError(
        '--chain is required (leaf certificate first; the anchor is not included)',
        UsageCode.required,
        '--chain',
      );
    const noSupplier = a.flag('no-supplier-signature');
    if (noSupplier === a.has('supplier-key')) {
      throw new UsageError(
        'give exactly one of --supplier-key or --no-supplier-signature',
        UsageCode.required,
        '--supplier-key',
      );
    }
    const spec: ImageSpec = {
      manufacturerCode: a.int('manufacturer-code', { max: 0xffff }),
      imageType: a.int('image-type', { max: 0xffff }),
      fileVersion: a.int('file-version', { max: 0xffffffff }),
      minHardwareVersion: a.int('hw-min', { max: 0xffff }),
      maxHardwareVersion: a.int('hw-max', { max: 0xffff }),
      payload: new Uint8Array(0),
      headerHardwareVersions: !a.flag('no-header-hw'),
    };
    if (spec.minHardwareVersion > spec.maxHardwareVersion)
      throw new UsageError('--hw-min is above --hw-max', UsageCode.badValue, '--hw-min');
    const description = a.string('description');
    if (description !== undefined) spec.description = description;
    const headerString = a.string('header-string');
    if (headerString !== undefined) {
      // The OTA header has 32 bytes for it: a longer one would be cut without a word.
      if (utf8Encode(headerString).length > 32)
        throw new UsageError('--header-string is longer than 32 bytes (UTF-8)', UsageCode.badValue, '--header-string');
      spec.headerString = headerString;
    }

    const given = chainFiles.flatMap((f) => readCertificateFile(f));
    // The anchor is the device's build constant, never carried: a self-signed certificate
    // in --chain (a vendor's full-chain PEM) is left out.
    const chain = given.filter((der) => {
      const c = parseCertificate(der);
      return !equalBytes(c.subject.der, c.issuer.der);
    });
    if (chain.length === 0)
      throw refused(
        ToolRefusal.chainAnchorOnly,
        '--chain holds only self-signed certificates: give the signing certificate (leaf first)',
      );
    const leftOut = given.length - chain.length;
    const manufacturer = readPrivateKeyFile(manufacturerKeyFile);
    if (!equalBytes(certificateKey(chain[0]).publicKey, manufacturer.publicKey)) {
      throw refused(
        ToolRefusal.keyMismatch,
        'the manufacturer key does not match the first certificate of --chain (the leaf comes first)',
      );
    }
    const supplier = noSupplier ? undefined : readPrivateKeyFile(a.required('supplier-key'));
    spec.payload = readInput(payloadFile, 'payload');
    // Every device refuses an empty payload (IMG_PAYLOAD_EMPTY): never sign one.
    if (spec.payload.length === 0)
      throw new OtaError(ImageError.payloadEmpty, `${payloadFile} is empty: a device refuses an image with no payload`);
    const image = signImage(spec, {
      manufacturer: (d) => signDigestRaw(manufacturer.privateKey, d),
      chain,
      ...(supplier ? { supplier: (d: Uint8Array) => signDigestRaw(supplier.privateKey, d) } : {}),
    });
    writeFilesAllOrNone([{ path: out, content: image.file }]);
    const manufacturerImageHash = toHex(image.manufacturerImageHash);
    if (a.flag('json')) {
      console.log(
        JSON.stringify({
          out,
          bytes: image.file.length,
          payloadLength: spec.payload.length,
          chainLength: chain.length,
          leftOutSelfSigned: leftOut,
          manufacturerImageHash,
          supplierSignature: Boolean(supplier),
        }),
      );
      return 0;
    }
    if (leftOut) console.log(`left out ${leftOut} self-signed certificate(s) from --chain: the anchor is not carried`);
    console.log(`${out}: ${image.file.length} bytes, payload ${spec.payload.length} bytes, chain of ${chain.length}`);
    console.log(`Manufacturer Image Hash ${manufacturerImageHash}`);
    console.log(
      supplier
        ? 'GBCS trailer: supplier signature'
        : 'GBCS trailer: none (devices with SUPPLIER_SIGNATURE_REQUIRED refuse this image)',
    );
    return 0;
  },
};
