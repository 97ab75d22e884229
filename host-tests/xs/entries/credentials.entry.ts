/**
 * XS-lane cases for credential replacement: the device's check of replacement commands,
 * and one replacement on the emulated device followed by an image from the replaced
 * supplier (refused) and one from the new supplier (confirmed), all inside XS. Commands,
 * images and the store come in as hex: signing stays with the tools, on Node.
 */
import { nobleP256 } from '../../../device/crypto/noble-p256.js';
import { nobleSha256 } from '../../../device/crypto/noble-sha256.js';
import { checkCredentialCommand } from '../../../device/pki/credential-check.js';
import { decodeTrustStore } from '../../../device/pki/trust-store.js';
import { fromHex } from '../../../device/util/bytes.js';
import { World } from '../../../sim/world.js';
import { servedImage } from '../../../sim/ota-server.js';
import { serve } from './serve.js';

interface CheckArgs {
  store: string;
  commands: string[];
}

interface ReplaceArgs {
  store: string;
  command: string;
  oldSupplierImage: string;
  newSupplierImage: string;
  newVersion: number;
  ids: { manufacturerCode: number; imageType: number; hardwareVersion: number; currentVersion: number };
  seed: number;
}

serve({
  /** Each command checked against the store: 'OK' with the new counter, or the refusal's code. */
  check: (args: CheckArgs) => {
    const store = decodeTrustStore(fromHex(args.store));
    return args.commands.map((c) => {
      try {
        return {
          code: 'OK',
          counter: checkCredentialCommand(fromHex(c), { store, crypto: { sha256: nobleSha256, p256: nobleP256 } }).next
            .counter,
        };
      } catch (e) {
        return { code: (e as { code?: string }).code ?? 'UNTYPED' };
      }
    });
  },

  /** One replacement on the emulated device, then the replaced supplier's image and the new supplier's. */
  replace: (args: ReplaceArgs) => {
    const w = new World({
      seed: args.seed,
      trust: decodeTrustStore(fromHex(args.store)),
      ...args.ids,
      bankSize: 64 * 1024,
      server: { upgradeTime: 0 },
    });
    const idle = () => w.current?.alive === true && w.current.agent.ctx.state === 'idle';
    w.run(idle);
    const answer = w.current!.credentialCommand(fromHex(args.command));
    w.ch.images.push(servedImage(fromHex(args.oldSupplierImage)));
    const refused = w.run(() => w.reportsOf('verification').some((r) => r.alertCode === 0x8f1c) && idle(), 400_000);
    w.ch.images.push(servedImage(fromHex(args.newSupplierImage)));
    const confirmed = w.run(
      () => w.reportsOf('activation').some((r) => r.success && r.version === args.newVersion) && idle(),
      400_000,
    );
    return {
      answer,
      refused,
      confirmed,
      boots: w.boots,
      readout: w.current!.agent.credentials(),
      reports: w.reports.map((r) => r.report).filter((r) => r.kind !== 'upgrade-status'),
    };
  },
});
