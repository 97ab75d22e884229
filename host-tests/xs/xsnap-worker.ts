/**
 * Drives the real XS engine (the `xsnap-worker` that `@agoric/xsnap` builds at install)
 * directly over its netstring pipes, without SES lockdown of the Node realm.
 *
 * fd 3 carries commands to XS, fd 4 replies: `e`+source evaluates; `?`+bytes calls
 * globalThis.handleCommand(ArrayBuffer); `q` quits. A reply is `.`+meter JSON+0x01+bytes
 * or `!`+error text. The meter's `compute` is XS's own operation count: repeatable, so
 * it is the figure benchmarks quote.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import * as esbuild from 'esbuild';

export interface XsMeter {
  compute: number;
  currentHeapCount: number;
  allocate: number;
  [k: string]: unknown;
}

export interface XsReply {
  meter: XsMeter;
  bytes: Buffer;
}

export function xsnapWorkerPath(): string {
  const require = createRequire(import.meta.url);
  const pkg = path.dirname(require.resolve('@agoric/xsnap/package.json'));
  const bin = path.join(pkg, 'xsnap-native/xsnap/build/bin/lin/release/xsnap-worker');
  if (!existsSync(bin)) {
    throw new Error(`xsnap-worker not built at ${bin}: run npm ci (its install script builds XS)`);
  }
  return bin;
}

/**
 * Bundles a TypeScript entry for XS: one IIFE, ES2020 (xsnap's XS lacks the static-field
 * support noble needs). No tree-shaking: Moddable loads whole modules and runs all their
 * top-level code, so the lane must too, or an import-time failure on a device (a library
 * touching TextEncoder while initialising an export the agent never uses) passes here.
 */
export async function bundleForXs(entry: string): Promise<string> {
  const out = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    format: 'iife',
    target: 'es2020',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    conditions: ['import', 'default'],
    treeShaking: false,
    write: false,
    logLevel: 'silent',
  });
  return out.outputFiles[0].text;
}

/** Source evaluated in XS before any device code: devices have no TextEncoder/TextDecoder. */
export const DEVICE_PRELUDE = 'delete globalThis.TextEncoder; delete globalThis.TextDecoder;';

export class XsWorker {
  private readonly child: ChildProcess;
  private readonly toXs: Writable;
  private buf = Buffer.alloc(0);
  private waiting: ((msg: Buffer) => void)[] = [];
  private exited: Error | undefined;

  private constructor() {
    this.child = spawn(xsnapWorkerPath(), [], { stdio: ['ignore', 'inherit', 'inherit', 'pipe', 'pipe'] });
    this.toXs = this.child.stdio[3] as Writable;
    const fromXs = this.child.stdio[4] as Readable;
    fromXs.on('data', (d: Buffer) => this.onData(d));
    this.child.on('exit', (code) => {
      this.exited = new Error(`xsnap-worker exited with ${code}`);
      for (const w of this.waiting.splice(0)) w(Buffer.from('!' + this.exited.message));
    });
  }

  /** Starts a worker, removes the APIs devices lack, and loads `bundle`. */
  static async start(bundle?: string): Promise<XsWorker> {
    const w = new XsWorker();
    await w.evaluate(DEVICE_PRELUDE);
    if (bundle) await w.evaluate(bundle);
    return w;
  }

  async evaluate(source: string): Promise<XsReply> {
    return this.roundTrip(Buffer.concat([Buffer.from('e'), Buffer.from(source, 'utf8')]));
  }

  /** Calls globalThis.handleCommand in XS with `bytes`; returns what it returned. */
  async command(bytes: Uint8Array): Promise<XsReply> {
    return this.roundTrip(Buffer.concat([Buffer.from('?'), Buffer.from(bytes)]));
  }

  /** Sends a JSON request to the entry's handleCommand and parses its JSON answer. */
  async call<T = unknown>(request: unknown): Promise<{ meter: XsMeter; result: T }> {
    const r = await this.command(Buffer.from(JSON.stringify(request), 'utf8'));
    return { meter: r.meter, result: JSON.parse(r.bytes.toString('utf8')) as T };
  }

  /**
   * Live bytes of the XS machine: xsnap writes a snapshot (after a full collection: every
   * live slot and chunk) to /dev/null and answers with its size.
   */
  async liveBytes(): Promise<number> {
    const r = await this.roundTrip(Buffer.from('w/dev/null'));
    return Number(r.bytes.toString('latin1'));
  }

  async close(): Promise<void> {
    if (this.exited) return;
    const done = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.send(Buffer.from('q'));
    await done;
  }

  private send(msg: Buffer): void {
    this.toXs.write(Buffer.concat([Buffer.from(`${msg.length}:`), msg, Buffer.from(',')]));
  }

  private async roundTrip(msg: Buffer): Promise<XsReply> {
    if (this.exited) throw this.exited;
    const reply = new Promise<Buffer>((resolve) => this.waiting.push(resolve));
    this.send(msg);
    const r = await reply;
    if (r[0] === 0x21 /* ! */) throw new Error(`XS: ${r.subarray(1).toString('utf8')}`);
    if (r[0] !== 0x2e /* . */) throw new Error(`XS: unexpected reply ${r.subarray(0, 40).toString('latin1')}`);
    const sep = r.indexOf(1);
    const meter = JSON.parse(r.subarray(1, sep).toString('utf8')) as XsMeter;
    return { meter, bytes: r.subarray(sep + 1) };
  }

  private onData(d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d]);
    for (;;) {
      const colon = this.buf.indexOf(0x3a);
      if (colon < 0) return;
      const n = Number(this.buf.subarray(0, colon).toString('latin1'));
      if (this.buf.length < colon + 1 + n + 1) return;
      const msg = this.buf.subarray(colon + 1, colon + 1 + n);
      this.buf = this.buf.subarray(colon + 2 + n);
      if (msg[0] === 0x3f /* ? : XS issued a command up; answer empty */) {
        this.send(Buffer.from('/'));
        continue;
      }
      const w = this.waiting.shift();
      if (w) w(Buffer.from(msg));
    }
  }
}
