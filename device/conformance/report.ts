/**
 * Results of the port conformance suites, in plain data so that any runtime can print
 * them (vitest in CI, `trace` in a Moddable build, a vendor's serial console).
 *
 * A check is a named function: it passes when it returns, fails when it throws (`must`
 * throws with the reason). A port that throws where the contract says it must not is a
 * failure like any other, never an escape from the suite.
 */
export interface CheckResult {
  suite: string;
  name: string;
  ok: boolean;
  /** Why it failed; empty when it passed. */
  detail: string;
}

export class ConformanceFailure extends Error {}

/** Fails the current check with `detail` unless `condition` holds. */
export function must(condition: boolean, detail: string): asserts condition {
  if (!condition) throw new ConformanceFailure(detail);
}

/** Fails the current check unless `fn` throws. */
export function mustThrow(fn: () => unknown, detail: string): void {
  let threw = false;
  try {
    fn();
  } catch {
    threw = true;
  }
  must(threw, detail);
}

function reason(e: unknown): string {
  if (e instanceof ConformanceFailure) return e.message;
  return `threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
}

/** Collects the results of one suite. */
export class SuiteRun {
  readonly results: CheckResult[] = [];
  constructor(readonly suite: string) {}

  check(name: string, fn: () => void): void {
    try {
      fn();
      this.results.push({ suite: this.suite, name, ok: true, detail: '' });
    } catch (e) {
      this.results.push({ suite: this.suite, name, ok: false, detail: reason(e) });
    }
  }

  async checkAsync(name: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
      this.results.push({ suite: this.suite, name, ok: true, detail: '' });
    } catch (e) {
      this.results.push({ suite: this.suite, name, ok: false, detail: reason(e) });
    }
  }
}

export interface Summary {
  passed: number;
  failed: number;
  failures: CheckResult[];
}

export function summarise(results: readonly CheckResult[]): Summary {
  const failures = results.filter((r) => !r.ok);
  return { passed: results.length - failures.length, failed: failures.length, failures };
}

/** One line per check, then a totals line: `conformance: N passed, M failed`. */
export function formatResults(results: readonly CheckResult[]): string[] {
  const lines = results.map((r) => `${r.ok ? 'pass' : 'FAIL'} ${r.suite}: ${r.name}${r.ok ? '' : ` — ${r.detail}`}`);
  const s = summarise(results);
  lines.push(`conformance: ${s.passed} passed, ${s.failed} failed`);
  return lines;
}
