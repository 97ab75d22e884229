/**
 * Loads @peculiar/x509 as an independent X.509 parser for cross-checks. Its dependency
 * tsyringe insists on a Reflect metadata polyfill (the `reflect-metadata` package, not
 * installed here); x509 only needs these few calls of it, so a small map does.
 */
const store = new WeakMap<object, Map<unknown, unknown>>();
const R = Reflect as unknown as Record<string, unknown>;
if (typeof R.getMetadata !== 'function') {
  R.defineMetadata = (key: unknown, value: unknown, target: object) => {
    const m = store.get(target) ?? new Map();
    m.set(key, value);
    store.set(target, m);
  };
  R.getOwnMetadata = (key: unknown, target: object) => store.get(target)?.get(key);
  R.getMetadata = R.getOwnMetadata;
  R.metadata = (key: unknown, value: unknown) => (target: object) =>
    (R.defineMetadata as (k: unknown, v: unknown, t: object) => void)(key, value, target);
}

export const x509 = await import('@peculiar/x509');
