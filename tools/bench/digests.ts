/**
 * "The four digests" on docs/BENCHMARKS.md: what each SHA-256 the download path runs over
 * the payload costs (this run's XS figures), what it proves, and which could be cheaper.
 */
import type { XsFigures } from './xs-cost.js';

const n = (x: number) => Math.round(x).toLocaleString('en');
const ratio = (x: number) => `${x.toFixed(2)}×`;

export interface DigestCosts {
  /** The download path per KiB as measured, and with each change, against two digests per KiB. */
  asBuilt: number;
  withoutInput: number;
  crcReadBack: number;
}

export function digestCosts(f: XsFigures): DigestCosts {
  const input = f.writerHashPerKiB - f.readBackHashPerKiB;
  return {
    asBuilt: f.sinkPerKiB,
    withoutInput: f.sinkPerKiB - input,
    crcReadBack: f.sinkPerKiB - f.writerHashPerKiB + 2 * f.crc32PerKiB,
  };
}

export function digestNote(f: XsFigures): { title: string; lines: string[] } {
  const sha = f.sha256PerKiB;
  const input = f.writerHashPerKiB - f.readBackHashPerKiB;
  const c = digestCosts(f);
  const floor = 2 * sha;
  return {
    title: 'The four digests',
    lines: [
      `The download path hashes every payload byte four times. XS compute per KiB of payload in this run (one SHA-256 of a KiB in RAM: ${n(sha)}):`,
      '',
      `1. **Payload digest** (ImageStream, while streaming), compared with the manifest's \`payloadSha256\`, which the manufacturer signs: what authenticates the payload. Needed. About ${n(f.streamHashPerKiB / 2)}/KiB.`,
      `2. **Manufacturer Image digest** (ImageStream, while streaming), which the GBCS supplier signature covers. Needed by the format. About ${n(f.streamHashPerKiB / 2)}/KiB (the two together: ${n(f.streamHashPerKiB)}).`,
      `3. **Bank writer's input digest** (BankWriter.write, over the bytes it is given): ${n(input)}/KiB. At finish the read-back digest must equal it. It proves nothing that 1 and 4 do not: UpdateSink hands the writer exactly the bytes the stream has just hashed into 1 (after a resume both are fed the same bank bytes from flash), and finish also compares the read-back digest with the manifest's \`payloadSha256\`, which 1 has already matched. It can go whenever the caller gives the expected digest up front, as UpdateSink can (the manifest is verified before the first erase).`,
      `4. **Read-back digest** (BankWriter.finish: the whole bank read from flash and hashed): ${n(f.readBackHashPerKiB)}/KiB, the flash reads included. It proves that the bank as it rests equals the signed payload before the boot record is armed. The writer already reads back and compares every 256-byte piece as it programs it, but that check does not cover a byte that changed after its piece was compared (disturbed by a later program or erase, a bit that did not hold), nor bytes kept from before a power cut after resume re-hashed them.`,
      '',
      `Could 4 be a cheaper compare? A CRC-32 of the bytes given and of the bank read back costs ${n(f.crc32PerKiB)}/KiB each in XS. It catches any accidental change of up to 32 bits in a row and misses a random one with probability 2⁻³², so against flash faults it does the same job; what it gives up is the proof that the bank equals the *signed* payload, which would then rest on 1 and on the writer having been given the streamed bytes. A bank that escaped it would still be caught by the bootloader, which hashes the bank against the boot record's digest at the trial boot — but as a reboot into the trial and a revert by the bootloader's digest check instead of an abort before the boot record is armed.`,
      '',
      `The download path per KiB against two digests per KiB (${n(floor)}): as built ${n(c.asBuilt)} (${ratio(c.asBuilt / floor)}); without 3 ${n(c.withoutInput)} (${ratio(c.withoutInput / floor)}); with 3 and 4 replaced by CRC-32s ${n(c.crcReadBack)} (${ratio(c.crcReadBack / floor)}).`,
      '',
      "Device behaviour is unchanged by this page: dropping 3 is safe and is the next step (BankWriter taking the expected digest at begin and resume); replacing 4 by a CRC-32 is a trade (a trial boot and revert for a flash fault a CRC misses, against about one SHA-256 per byte) left to a vendor's choice, not made here.",
    ],
  };
}
