// One contract isolate as the host sees it: an isolated-vm isolate with one
// context, locked down by `ses`, the SDK evaluated once, and the contract
// module compiled once (bootstrap.ts says what the realm guarantees). The host
// enters it through one function; every call is bounded by a CPU timeout.
//
// Calls are synchronous (`applySync`) in a sandbox process, whose thread exists
// to run contracts, and asynchronous (`apply`, on isolated-vm's thread pool) in
// a cNode's own process, whose event loop must stay free. Either way a realm
// runs one call at a time, and the executor never has two in flight.

import { readFileSync } from 'node:fs';
import ivm from 'isolated-vm';
import { bootstrapSource } from './bootstrap';
import { BUNDLE_FILE_NAME } from './contract-package';
import { sandboxSdkSource } from './sandbox-sdk';
import { pinSandboxTimeZone } from './time-zone';

/** What the realm calls on the host, each fire-and-forget, tagged with the transaction number. */
export interface RealmHandlers {
  request(n: unknown, id: unknown, op: unknown, a: unknown, b: unknown, c: unknown): void;
  done(n: unknown, outcome: unknown): void;
  log(n: unknown, level: unknown, message: unknown): void;
}

export type CallResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

let sesSource: string | undefined;
const sesCode = (): string => (sesSource ??= readFileSync(require.resolve('ses'), 'utf8'));

/**
 * The contract's CommonJS body as one function of (require, module, exports,
 * globalThis), called once per transaction. The prefix stays on the first line,
 * so source-map line numbers hold.
 */
const moduleFactorySource = (code: string): string => `(function (require, module, exports, globalThis) {'use strict';${code}\n})`;

export class HardenedRealm {
  readonly isolate: ivm.Isolate;
  /**
   * Number of the transaction whose code the realm runs or ran last, written by
   * the bootstrap at every entry into shared memory, so it can be read after
   * the isolate is disposed for exceeding its memory limit.
   */
  readonly running = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
  private readonly entry: ivm.Reference<(...args: unknown[]) => unknown>;

  /** Builds the realm; throws (with the isolate disposed) if the bootstrap or the module does not load within setupTimeoutMs. */
  constructor(
    moduleCode: string,
    memoryMb: number,
    setupTimeoutMs: number,
    handlers: RealmHandlers,
    private readonly sync: boolean,
  ) {
    pinSandboxTimeZone();
    this.isolate = new ivm.Isolate({ memoryLimit: memoryMb });
    try {
      const context = this.isolate.createContextSync();
      const global = context.global;
      global.setSync('__fcHostRunning', new ivm.ExternalCopy(this.running.buffer).copyInto({ release: true }));
      global.setSync('__fcHostRequest', new ivm.Reference(handlers.request));
      global.setSync('__fcHostDone', new ivm.Reference(handlers.done));
      global.setSync('__fcHostLog', new ivm.Reference(handlers.log));
      const timeout = setupTimeoutMs;
      this.isolate.compileScriptSync(sesCode(), { filename: 'ses.js' }).runSync(context, { timeout });
      this.entry = this.isolate.compileScriptSync(bootstrapSource(sandboxSdkSource()), { filename: 'flexchain-bootstrap.js' }).runSync(context, { timeout, reference: true }) as ivm.Reference<(...args: unknown[]) => unknown>;
      const factory = this.isolate.compileScriptSync(moduleFactorySource(moduleCode), { filename: BUNDLE_FILE_NAME }).runSync(context, { timeout, reference: true }) as ivm.Reference<unknown>;
      this.entry.applySync(undefined, ['install', factory.derefInto()], { timeout });
      factory.release();
    } catch (err) {
      this.dispose();
      throw err;
    }
  }

  get disposed(): boolean {
    return this.isolate.isDisposed;
  }

  /** One entry into the realm, bounded by timeoutMs of CPU; never throws. */
  call(args: readonly unknown[], timeoutMs: number): CallResult | Promise<CallResult> {
    const options = { arguments: { copy: true }, result: { copy: true }, timeout: timeoutMs } as const;
    if (!this.sync) return this.entry.apply(undefined, [...args], options).then((value): CallResult => ({ ok: true, value }), (error: unknown): CallResult => ({ ok: false, error }));
    try {
      return { ok: true, value: this.entry.applySync(undefined, [...args], options) };
    } catch (error) {
      return { ok: false, error };
    }
  }

  dispose(): void {
    if (!this.isolate.isDisposed) this.isolate.dispose();
  }
}

/** f applied to x now, or when x settles: sync and async realms share one code path. */
export function after<T extends object, R>(x: T | Promise<T>, f: (value: T) => R | Promise<R>): R | Promise<R> {
  // A thenable test, not instanceof: promises from isolated-vm may come from another realm's Promise (jest's, for one).
  return typeof (x as { then?: unknown }).then === 'function' ? (x as Promise<T>).then(f) : f(x as T);
}

export const isTimeout = (error: unknown): boolean => /timed out/i.test(error instanceof Error ? error.message : String(error));
