// Ed25519 verification off the main thread. A block's signatures are checked
// in a worker thread (signature-verifier-thread.ts) while the peer commits the
// block before it, so V1 on the main thread finds them verified
// (block-signatures.ts) instead of spending ~45 µs on each.
//
// Nothing depends on this for safety: a check the threads did not answer (a
// thread died, the verifier is closed) counts as not verified, and V1 then
// verifies that signature itself.

import { existsSync } from 'node:fs';
import { sep } from 'node:path';
import { Worker } from 'node:worker_threads';
import { verifyRawSignature } from '@flexchain/sdk/protocol';

/** One signature to check: a raw 32-byte Ed25519 public key, the signed bytes and the 64-byte signature. */
export interface SignatureCheck {
  readonly publicKey: Uint8Array;
  readonly message: Uint8Array;
  readonly signature: Uint8Array;
}

export interface SignatureVerifier {
  /** One verdict per check, in order; never rejects (a check it could not make is false). */
  verify(checks: readonly SignatureCheck[]): Promise<boolean[]>;
  close(): Promise<void>;
}

export const verifyCheck = (check: SignatureCheck): boolean => verifyRawSignature(check.publicKey, check.message, check.signature);

/** Verifies on the calling thread: the seam's simplest side, for tests and tools. */
export class InlineSignatureVerifier implements SignatureVerifier {
  verify(checks: readonly SignatureCheck[]): Promise<boolean[]> {
    return Promise.resolve(checks.map(verifyCheck));
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** postMessage copies a view's whole buffer: a payload that is a view into a large message goes as its own bytes. */
const own = (bytes: Uint8Array): Uint8Array => (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice());
const compact = (check: SignatureCheck): SignatureCheck => ({ publicKey: own(check.publicKey), message: own(check.message), signature: own(check.signature) });

export interface VerifyRequest {
  readonly id: number;
  readonly checks: readonly SignatureCheck[];
}
export interface VerifyReply {
  readonly id: number;
  readonly valid: readonly boolean[];
}

// Under ts-jest this module is TypeScript source; the thread always runs the compiled script.
const SCRIPT = (__filename.endsWith('.ts') ? __dirname.replace(/([\\/])src([\\/])(?!.*[\\/]src[\\/])/, '$1dist$2') : __dirname) + sep + 'signature-verifier-thread.js';

interface Lane {
  worker: Worker | undefined;
  readonly pending: Map<number, (valid: readonly boolean[] | undefined) => void>;
}

/**
 * Splits each batch over `threads` worker threads, started on first use and
 * again after one dies. Threads are unref'd: an idle verifier keeps no process alive.
 */
export class ThreadSignatureVerifier implements SignatureVerifier {
  private readonly lanes: Lane[];
  private nextId = 0;
  private closed = false;
  /** Without the compiled thread script (tests run from source before a build) nothing is verified here. */
  private readonly available = existsSync(SCRIPT);
  /** Threads that died and were started again. */
  restarts = 0;

  constructor(threads: number) {
    this.lanes = Array.from({ length: threads }, () => ({ worker: undefined, pending: new Map() }));
  }

  async verify(checks: readonly SignatureCheck[]): Promise<boolean[]> {
    if (checks.length === 0) return [];
    if (this.closed || !this.available) return checks.map(() => false);
    const share = Math.ceil(checks.length / this.lanes.length);
    const parts = await Promise.all(this.lanes.map((lane, i) => (i * share < checks.length ? this.send(lane, checks.slice(i * share, (i + 1) * share)) : Promise.resolve([]))));
    return parts.flatMap((valid, i) => {
      const expected = Math.max(0, Math.min(share, checks.length - i * share));
      return valid && valid.length === expected ? valid.map((v) => v === true) : new Array<boolean>(expected).fill(false);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.lanes.map((lane) => lane.worker?.terminate()));
  }

  private send(lane: Lane, checks: readonly SignatureCheck[]): Promise<readonly boolean[] | undefined> {
    const worker = this.started(lane);
    const id = this.nextId++;
    return new Promise((resolve) => {
      lane.pending.set(id, resolve);
      try {
        worker.postMessage({ id, checks: checks.map(compact) } satisfies VerifyRequest);
      } catch {
        lane.pending.delete(id);
        resolve(undefined);
      }
    });
  }

  private started(lane: Lane): Worker {
    if (lane.worker) return lane.worker;
    const worker = new Worker(SCRIPT, { execArgv: [] });
    worker.unref();
    worker.on('message', (reply: VerifyReply) => {
      const done = lane.pending.get(reply.id);
      lane.pending.delete(reply.id);
      done?.(reply.valid);
    });
    const lost = () => {
      if (lane.worker !== worker) return;
      lane.worker = undefined;
      if (!this.closed) this.restarts++;
      const waiting = [...lane.pending.values()];
      lane.pending.clear();
      for (const done of waiting) done(undefined);
    };
    worker.on('error', lost);
    worker.on('exit', lost);
    lane.worker = worker;
    return worker;
  }
}
