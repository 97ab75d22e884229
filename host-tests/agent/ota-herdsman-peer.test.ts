/**
 * A real peer: the device's OTA client downloads from zigbee-herdsman's own OTA server code
 * (10.9.5), over the emulated link with 10 % loss each way.
 *
 * Seam: herdsman's `Device.updateOta` — the coordinator side of an OTA upgrade: it sends
 * Image Notify, answers Query Next Image from the OTA file's header (version check
 * included), runs its `OtaSession` to serve every Image Block Request, and answers the
 * Upgrade End Request. It is driven in-process: a `Device` and `Endpoint` are constructed
 * directly (no database), and a fake adapter is injected (`Entity.injectAdapter`):
 * `sendZclFrameToEndpoint` puts herdsman's encoded frame (its own codec, `frame.toBuffer()`)
 * on the lossy link, and `waitFor` resolves herdsman's waiters with the client's frames as
 * they arrive, with its timeouts counted in the link's virtual time. `responseDelay: 0`.
 * A lost Query Next Image Response makes herdsman's session time out; as a coordinator
 * application does, a Query Next Image arriving while no upgrade runs starts
 * `updateOta` again with the device's request (herdsman's device-initiated path).
 * The image file is written to a temporary directory because herdsman reads it by path.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Zcl from 'zigbee-herdsman/dist/zspec/zcl/index.js';
import DeviceModule from 'zigbee-herdsman/dist/controller/model/device.js';
import EndpointModule from 'zigbee-herdsman/dist/controller/model/endpoint.js';
import EntityModule from 'zigbee-herdsman/dist/controller/model/entity.js';
import * as LoggerModule from 'zigbee-herdsman/dist/utils/logger.js';
import { DEFAULT_POWER_POLICY } from '../../device/agent/power-policy.js';
import { figures, testClient, testImageSpec, RUNNING_VERSION } from '../../sim/download-scenario.js';
import { World } from '../../sim/world.js';
import { CLEAN } from '../../sim/radio-link.js';
import { buildTestImage } from '../../sim/test-image.js';

// The CommonJS modules export their class as `default` (through esModuleInterop).
const Device = ((DeviceModule as any).default ?? DeviceModule) as any;
const Endpoint = ((EndpointModule as any).default ?? EndpointModule) as any;
const Entity = ((EntityModule as any).default ?? EntityModule) as any;

const IEEE = '0x00124b0000a1a2a3';
const NWK = 0x4a21;

interface Waiter {
  commandId: number;
  resolve: (p: unknown) => void;
  reject: (e: Error) => void;
  timer: number;
  done: boolean;
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'althan-ota-herdsman-'));
  const quiet = () => {};
  (LoggerModule as any).setLogger({ debug: quiet, info: quiet, warning: quiet, error: quiet });
});
afterAll(() => {
  Device.devices.delete(IEEE);
});

async function herdsmanDownload(seed: number) {
  const file = buildTestImage(testImageSpec(64 * 1024, seed));
  const otaPath = path.join(dir, `image-${seed}.ota`);
  writeFileSync(otaPath, file);

  const loss = { ...CLEAN, loss: 0.1 };
  const world = new World({
    currentVersion: RUNNING_VERSION,
    seed,
    bankSize: 128 * 1024,
    link: { up: loss, down: loss },
  });
  const link = world.link;
  const scheduler = world.scheduler;

  // --- the injected adapter -------------------------------------------------------------
  const waiters: Waiter[] = [];
  let sent = 0;
  const commandsSent = new Map<string, number>();
  let otaRunning = false;
  const adapter = {
    waitFor(
      _nwk: number,
      _ep: number,
      _type: number,
      _dir: number,
      _tsn: number | undefined,
      _cluster: number,
      commandId: number,
      _def: number | undefined,
      timeout: number,
    ) {
      let w!: Waiter;
      const promise = new Promise((resolve, reject) => {
        w = { commandId, resolve, reject, timer: 0, done: false };
      });
      w.timer = scheduler.after(Math.min(timeout, 2 ** 31), () => {
        if (w.done) return;
        w.done = true;
        w.reject(new Error('timeout'));
      });
      waiters.push(w);
      return {
        promise,
        cancel: () => {
          w.done = true;
          scheduler.cancel(w.timer);
        },
      };
    },
    async sendZclFrameToEndpoint(
      _ieee: string,
      _nwk: number,
      _ep: number,
      frame: { toBuffer(): Buffer; command: { name: string } },
    ) {
      sent++;
      commandsSent.set(frame.command.name, (commandsSent.get(frame.command.name) ?? 0) + 1);
      link.serverEnd.send(new Uint8Array(frame.toBuffer()));
      return undefined;
    },
  };
  Entity.injectAdapter(adapter);
  Device.loadedFromDatabase = true;
  Device.devices.delete(IEEE);
  const endpoint = new Endpoint(1, 0x0104, 0x0501, [0x0000], [0x0019], NWK, IEEE, {}, [], [], {});
  const device = new Device(
    1,
    'EndDevice',
    IEEE,
    NWK,
    0x1234,
    [endpoint],
    'althan',
    'Battery',
    'test',
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
    'SUCCESSFUL',
    {},
    undefined,
    undefined,
    0,
    undefined,
    undefined,
  );
  Device.devices.set(IEEE, device);

  // requestTimeout 0: herdsman applies its own default (150 s), counted here in virtual time.
  const dataSettings = { requestTimeout: 0, responseDelay: 0, baseSize: 50 };
  const runs: Promise<unknown>[] = [];
  let herdsmanOutcome: string | undefined;
  const startUpdate = (payload?: unknown, tsn?: number) => {
    otaRunning = true;
    runs.push(
      device
        .updateOta({ url: otaPath }, payload, tsn, {}, () => {}, { ...dataSettings })
        .then(
          () => {
            herdsmanOutcome = 'success';
            otaRunning = false;
          },
          (e: Error) => {
            herdsmanOutcome = `failed: ${e.message}`;
            otaRunning = false;
          },
        ),
    );
  };

  // Client frames reaching the coordinator: herdsman's waiters first, else the application.
  link.serverEnd.onReceive((bytes) => {
    const buf = Buffer.from(bytes);
    const header = Zcl.Header.fromBuffer(buf);
    if (!header || header.frameControl.direction !== Zcl.Direction.CLIENT_TO_SERVER) return;
    const i = waiters.findIndex((w) => !w.done && w.commandId === header.commandIdentifier);
    if (i >= 0) {
      const w = waiters[i];
      waiters.splice(i, 1);
      w.done = true;
      scheduler.cancel(w.timer);
      w.resolve({
        clusterID: 0x0019,
        address: NWK,
        header,
        data: buf,
        endpoint: 1,
        linkquality: 200,
        groupID: 0,
        wasBroadcast: false,
        destinationEndpoint: 1,
      });
      return;
    }
    if (header.commandIdentifier === 0x01 && !otaRunning) {
      const f = Zcl.Frame.fromBuffer(0x0019, header, buf, {});
      startUpdate(f.payload, header.transactionSequenceNumber);
    }
    for (let k = waiters.length - 1; k >= 0; k--) if (waiters[k].done) waiters.splice(k, 1);
  });

  // --- run the world and herdsman's promises together -------------------------------------
  const client = world.bootDownload({ client: testClient({ notifyDelayMaxMs: 2_000 }), policy: DEFAULT_POWER_POLICY });
  startUpdate(); // the coordinator notifies the device first (Image Notify)
  const flush = () => new Promise<void>((r) => setImmediate(r));
  let announced = false;
  for (let guard = 0; guard < 2_000_000; guard++) {
    await flush();
    if (client.driver.outcome && !announced) {
      // herdsman waits for the device to announce itself after the upgrade end; the device would, after activation.
      announced = true;
      scheduler.advanceTo(scheduler.now + 2_000);
      await flush();
      device.emit('deviceAnnounce');
    }
    if (announced && herdsmanOutcome !== undefined && !otaRunning) break;
    if (!scheduler.step()) {
      await flush();
      if (scheduler.peek() === undefined && !otaRunning) break;
    }
  }
  await Promise.all(runs);
  return { ...figures(world, client, file), world, client, herdsmanOutcome, framesFromHerdsman: sent, commandsSent };
}

describe("zigbee-herdsman's OTA server as the Communications Hub", () => {
  it('serves a 64 KiB image to the client over a link losing 10 % each way; the client finishes and herdsman reports success', async () => {
    for (const seed of [501, 502, 503]) {
      const r = await herdsmanDownload(seed);
      expect(r.outcome?.kind, `seed ${seed}`).toBe('downloaded');
      expect(r.herdsmanOutcome).toBe('success');
      expect(r.bankMatches).toBe(true);
      expect(r.runningImageIntact).toBe(true);
      // herdsman's Upgrade End Response: currentTime 0, upgradeTime 1 → activate after 1 s.
      expect(r.outcome).toMatchObject({ activation: 'at-delay', delayMs: 1000 });
      // herdsman notified, answered the query, served blocks and answered the Upgrade End itself.
      expect(r.commandsSent.get('imageNotify')).toBeGreaterThanOrEqual(1);
      expect(r.commandsSent.get('queryNextImageResponse')).toBeGreaterThanOrEqual(1);
      expect(r.commandsSent.get('imageBlockResponse')).toBeGreaterThanOrEqual(Math.ceil(r.imageSize / 50));
      expect(r.commandsSent.get('upgradeEndResponse')).toBe(1);
      const floor = Math.ceil(r.imageSize / 50) / 0.81;
      expect(r.client.driver.client.sent.block / floor).toBeLessThan(1.1);
      console.log(
        `herdsman peer seed ${seed}: ${r.client.driver.client.sent.block} block requests (floor/0.81 ${floor.toFixed(0)}), ${r.framesFromHerdsman} frames from herdsman, lost up ${r.world.link.up.lost} down ${r.world.link.down.lost}, herdsman sent ${JSON.stringify(Object.fromEntries(r.commandsSent))}`,
      );
    }
  });
});
