/**
 * The one error class of the agent. Every refusal and failure carries a stable `code`
 * (SCREAMING_SNAKE, listed in docs/FORMAT.md and docs/AGENT.md) that a supplier can be
 * told; `message` is for people. Nothing else is thrown out of device/ on purpose.
 */
export class OtaError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(`${code}: ${message}`);
    this.code = code;
  }
}

// `name` lives on the prototype, set once when the module loads. Assigning it on each
// instance (`this.name = ...`) throws a TypeError on a device: a preloaded XS build
// freezes Error.prototype, whose `name` is then read-only for every object inheriting it,
// so every refusal would have turned into an untyped exception.
Object.defineProperty(OtaError.prototype, 'name', { value: 'OtaError', writable: true, configurable: true });

/** True for an OtaError carrying `code` (or any OtaError when no code is given). */
export function isOtaError(e: unknown, code?: string): e is OtaError {
  return e instanceof OtaError && (code === undefined || e.code === code);
}

/** Turns whatever a port threw into an OtaError with `code`, keeping OtaErrors as they are. */
export function asOtaError(e: unknown, code: string): OtaError {
  if (e instanceof OtaError) return e;
  const text = e instanceof Error ? e.message : String(e);
  return new OtaError(code, text);
}
