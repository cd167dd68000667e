// A cNode's sandbox process: contract isolates run in a child process of their
// own (sandbox-worker.ts), so that when V8 aborts on an isolate's heap (filling a
// Map can do it; isolated-vm's memoryLimit is soft) only that process dies.
//
// The cNode keeps the state: every read the sandbox makes comes back here over
// IPC and is answered from the peer's world state, unless the sandbox process
// has it in its read cache, which the cNode invalidates block by block
// (sandbox-read-cache.ts). When the process dies, every
// transaction it had in flight is answered at once: TxLimitExceededError when it
// was the only one (it caused the abort), SandboxRestartedError otherwise (one
// of them did, and which is not known). The next simulation starts a new
// process; `restarts` counts them.

import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { IdentityInfo, LogLevel } from '@flexchain/sdk';
import { errorFromWire, errorToWire, Outbox, type Proposal } from '@flexchain/sdk/protocol';
import type { HostConfig } from '../config';
import type { CommittedWrite } from '../state/peer-world-state';
import type { StateAccess } from '../state/state-access';
import { TxLimitExceededError } from '../validate/response-rules';
import { SandboxRestartedError, type ContractLogSink, type SandboxResult } from './contract-executor';
import { packageId as packageIdOf, type ContractPackage } from './contract-package';
import type { FromSandbox, ReadCacheCounts, ToSandbox } from './sandbox-ipc';
import { readCacheKey } from './sandbox-read-cache';

/** Tail of a sandbox process's stderr kept to explain its death, in characters. */
const SANDBOX_STDERR_CHARS_MAX = 4096;

/** What a cNode needs of the place its contracts run: in process, or in a sandbox process. */
export interface ContractRunner {
  simulate(proposal: Proposal, identity: IdentityInfo, state: StateAccess): Promise<SandboxResult>;
  dispose(): void;
  readonly rebuilds: number;
}

/** The compiled worker: next to this file in dist/, or in dist/ when this file runs from src/ (tests). */
function workerPath(): string {
  return __filename.endsWith('.ts') ? join(__dirname, '..', '..', 'dist', 'sandbox', 'sandbox-worker.js') : join(__dirname, 'sandbox-worker.js');
}

interface InFlight {
  readonly proposal: Proposal;
  readonly state: StateAccess;
  readonly packageId: string;
  readonly resolve: (result: SandboxResult) => void;
  readonly reject: (err: Error) => void;
}

export class SandboxProcess {
  private child: ChildProcess | undefined;
  private outbox: Outbox<ToSandbox> | undefined;
  /** Packages the current child has been sent. */
  private installed = new Set<string>();
  private readonly inFlight = new Map<number, InFlight>();
  private readonly rebuildsByPackage = new Map<string, number>();
  private nextId = 0;
  /** Invalidations sent to the current child. */
  private invalidations = 0;
  private closed = false;
  /** Sandbox processes started again after one died. */
  restarts = 0;
  /** The read cache's counts: of the children before the current one, and the current one's latest. */
  private readsBefore: ReadCacheCounts = { hits: 0, misses: 0 };
  private readsNow: ReadCacheCounts = { hits: 0, misses: 0 };

  constructor(
    private readonly name: string,
    private readonly config: HostConfig,
    private readonly log: ContractLogSink,
    private readonly hostLog: (level: LogLevel, message: string) => void,
  ) {}

  /** A runner for one package, whose isolates live in this process. */
  runner(pkg: ContractPackage): ContractRunner {
    const packageId = packageIdOf(pkg);
    const rebuildsByPackage = this.rebuildsByPackage;
    return {
      simulate: (proposal, identity, state) => this.simulate(pkg, packageId, proposal, identity, state),
      dispose: () => {
        if (this.installed.delete(packageId)) this.send({ t: 'retire', packageId });
      },
      get rebuilds() {
        return rebuildsByPackage.get(packageId) ?? 0;
      },
    };
  }

  /** Point reads answered by the sandbox process's read cache, and those that came to the cNode. */
  get reads(): ReadCacheCounts {
    return { hits: this.readsBefore.hits + this.readsNow.hits, misses: this.readsBefore.misses + this.readsNow.misses };
  }

  close(): void {
    this.closed = true;
    this.child?.kill('SIGKILL');
    this.child = undefined;
  }

  /** A block committed these writes: the child's read cache must forget them before it hears of anything later. */
  committed(writes: readonly CommittedWrite[]): void {
    if (!this.child || writes.length === 0) return;
    this.invalidations++;
    this.send({ t: 'invalidate', keys: writes.map((w) => readCacheKey(w.contract, w.write.key)) });
  }

  private simulate(pkg: ContractPackage, packageId: string, proposal: Proposal, identity: IdentityInfo, state: StateAccess): Promise<SandboxResult> {
    if (this.closed) return Promise.reject(new SandboxRestartedError(`The sandbox of ${this.name} was shut down.`, { hint: 'Retry; the contract may have been upgraded.' }));
    this.ensureChild();
    if (!this.installed.has(packageId)) {
      this.installed.add(packageId);
      this.send({ t: 'install', packageId, pkg });
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.inFlight.set(id, { proposal, state, packageId, resolve, reject });
      this.send({ t: 'simulate', id, packageId, proposal, identity });
    });
  }

  private ensureChild(): void {
    if (this.child) return;
    const child = fork(workerPath(), [], { execArgv: ['--no-node-snapshot', '--single-threaded-gc'], serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      // Keep only the tail: V8's fatal-error report is what explains an abort.
      stderr = (stderr + chunk.toString('utf8')).slice(-SANDBOX_STDERR_CHARS_MAX);
    });
    child.on('message', (batch: FromSandbox[]) => {
      for (const message of batch) this.onMessage(message);
    });
    child.on('exit', (code, signal) => this.onExit(child, code, signal, stderr));
    child.on('error', (err) => this.hostLog('error', `${this.name}: sandbox process error: ${err.message}`));
    this.child = child;
    this.outbox = new Outbox((batch) => {
      try {
        child.send(batch);
      } catch {
        // The channel closed: the process is dying, and its exit answers whatever it had in flight.
      }
    });
    this.installed = new Set();
    this.invalidations = 0;
    this.readsBefore = this.reads;
    this.readsNow = { hits: 0, misses: 0 };
    this.send({ t: 'config', config: this.config });
  }

  private send(message: ToSandbox): void {
    this.outbox?.push(message);
  }

  private onMessage(message: FromSandbox): void {
    if (message.t === 'log') return this.log(message.level, message.message, message.tag);
    const tx = this.inFlight.get(message.id);
    if (!tx) return;
    if (message.t === 'done') {
      this.inFlight.delete(message.id);
      this.rebuildsByPackage.set(tx.packageId, message.rebuilds);
      this.readsNow = message.reads;
      if (message.ok) tx.resolve(message.result);
      else tx.reject(errorFromWire(message.error));
      return;
    }
    const { id, call } = message;
    const invalidations = this.invalidations;
    const work = message.op === 'get' ? tx.state.get(message.args[0] as string) : tx.state.rangePage(message.args[0] as string, message.args[1] as string, message.args[2] as number);
    work.then(
      (value) => this.send({ t: 'reply', id, call, ok: true, value, invalidations }),
      (err: unknown) => this.send({ t: 'reply', id, call, ok: false, error: errorToWire(err) }),
    );
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null, stderr: string): void {
    if (this.child === child) {
      this.child = undefined;
      this.outbox = undefined;
    }
    if (this.closed) return;
    this.restarts++;
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    const fatal = /heap|memory/i.test(stderr) ? ' (V8 ran out of heap)' : '';
    this.hostLog('error', `${this.name}: sandbox process ${how}${fatal}; ${this.inFlight.size} transaction(s) answered with an error, a new process starts on the next one`);
    const interrupted = [...this.inFlight.values()];
    this.inFlight.clear();
    for (const tx of interrupted) {
      const where = `Transaction ${tx.proposal.txId.slice(0, 12)} (${tx.proposal.contract}.${tx.proposal.fn})`;
      tx.reject(
        interrupted.length === 1
          ? new TxLimitExceededError(`${where} crashed its sandbox process${fatal}: it exceeded isolateMemoryMb (${this.config.isolateMemoryMb} MiB) or another limit V8 enforces by aborting.`, { hint: 'Hold less data in memory at once, e.g. smaller Maps and Sets.' })
          : new SandboxRestartedError(`${where} was interrupted: the sandbox process ${how}${fatal} while ${interrupted.length} transactions ran in it.`, { hint: 'Submit it again.' }),
      );
    }
  }
}
