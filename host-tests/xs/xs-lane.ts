/**
 * One XS-lane test file's engine: starts the bundled entry before the file's tests, stops
 * it after, and prints each case's XS meter (compute, live heap slots after gc).
 */
import { afterAll, beforeAll } from 'vitest';
import { bundleForXs, XsWorker, type XsMeter } from './xsnap-worker.js';

export interface XsLane {
  /** Calls the entry's case `name` with JSON `args`; returns its value or throws its error. */
  run<T>(name: string, args?: unknown, label?: string): Promise<T>;
}

export function xsLane(entry: string, meterPrefix = ''): XsLane {
  let xs: XsWorker | undefined;
  const meters = new Map<string, XsMeter>();
  beforeAll(async () => {
    xs = await XsWorker.start(await bundleForXs(entry));
  });
  afterAll(async () => {
    await xs?.close();
    for (const [label, m] of meters) {
      console.log(
        `XS meter ${meterPrefix}${label}: compute=${m.compute} heapSlots=${m.currentHeapCount} allocate=${m.allocate}`,
      );
    }
  });
  return {
    async run<T>(name: string, args: unknown = {}, label = name): Promise<T> {
      if (!xs) throw new Error(`XS lane for ${entry} is not started`);
      const { meter, result } = await xs.call<{ ok: boolean; value: T; error?: string }>({ name, args });
      meters.set(label, meter);
      if (!result.ok) throw new Error(`XS case ${name} failed: ${result.error}`);
      return result.value;
    },
  };
}
