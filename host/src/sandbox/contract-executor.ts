// Runs one contract's transactions in isolated-vm sandboxes on a cNode.
//
// One isolate per contract per cNode worker (config.cnodeWorkers), reused
// across transactions; every transaction gets a fresh context, so nothing a
// transaction leaves in module globals reaches the next one. Contexts are
// prepared ahead (bootstrap and bundle evaluated on the isolate's thread).
//
// The host drives every context (bootstrap.ts): it starts the transaction and
// resumes it with each state read's result. So:
// - every piece of contract code, before and after each await, runs inside a
//   host call bounded by txCpuTimeMs, and the transaction by txWallTimeMs;
// - an isolate that hits isolateMemoryMb is blamed on the transaction whose
//   context was running (a marker in shared memory that the bootstrap writes at
//   every entry); every other transaction in it gets SandboxRestartedError at once;
// - state reads are answered in the order they were made, so completion order
//   cannot differ between endorsers;
// - once a transaction settles (outcome, error, or txWallTimeMs) it is never
//   called into again: a continuation it left pending never runs.
// Every state request is checked here (key rules, page size, txStateCallsMax),
// log output is capped (txLogBytesMax), and the outcome is checked for shape
// (sandbox-outcome.ts), against the reads actually served, and against the
// host's response rules before anyone signs it. Safe to call concurrently.

import ivm from 'isolated-vm';
import { assertValidKey, FlexChainError, formatVersion, versionsEqual, type ChaincodeEvent, type IdentityInfo, type LogLevel, type RwSet, type TransactionKind, type Version } from '@flexchain/sdk';
import { errorToWire, type Proposal } from '@flexchain/sdk/protocol';
import type { HostConfig } from '../config';
import type { StateAccess } from '../state/state-access';
import { assertRangeBound, assertResponseWithinRules, TxLimitExceededError } from '../validate/response-rules';
import { BOOTSTRAP_SOURCE } from './bootstrap';
import { packageId, type ContractPackage } from './contract-package';
import { BUNDLE_FILE_NAME } from './packager';
import { outcomeOf, SandboxOutcomeInvalidError } from './sandbox-outcome';
import { StackMapper } from './source-map';
import { pinSandboxTimeZone } from './time-zone';

export { TxLimitExceededError };

export class ContractExecutionError extends FlexChainError {
  override name = 'ContractExecutionError';
  constructor(
    readonly contract: string,
    readonly fn: string,
    /** Name of the error the contract threw, e.g. "Error", "ArgumentInvalidError", "DeterminismError". */
    readonly contractErrorName: string,
    message: string,
    stack: string,
  ) {
    super(`${contract}.${fn} failed: ${contractErrorName === 'Error' ? '' : `${contractErrorName}: `}${message}`, stack ? { details: stack } : {});
  }
}

/** The sandbox asked the host for something it does not offer. */
export class SandboxRequestInvalidError extends FlexChainError {
  override name = 'SandboxRequestInvalidError';
}

export class SandboxRestartedError extends FlexChainError {
  override name = 'SandboxRestartedError';
}

export interface SandboxResult {
  readonly kind: TransactionKind;
  readonly payload: Uint8Array;
  readonly rwset: RwSet;
  readonly events: readonly ChaincodeEvent[];
}

export type ContractLogSink = (level: LogLevel, message: string, tag: { contract: string; fn: string; txId: string }) => void;

interface Slot {
  readonly isolate: ivm.Isolate;
  readonly bootstrap: ivm.Script;
  readonly bundle: ivm.Script;
  /** Contexts being prepared or ready, oldest first. */
  readonly ready: Promise<PreparedContext>[];
  /** Transactions running in this isolate. */
  readonly runs: Set<TxRun>;
  /**
   * Id of the context whose code the isolate runs or ran last, written by the
   * bootstrap at every entry (shared memory): after an out-of-memory disposal it
   * names the transaction that caused it.
   */
  readonly running: Int32Array;
  nextContextId: number;
  inFlight: number;
}

/** A prepared context and the transaction it serves once taken. */
interface PreparedContext {
  readonly context: ivm.Context;
  /** Written to Slot.running whenever this context's code runs. */
  readonly contextId: number;
  /** The bootstrap's entry function (see bootstrap.ts). */
  readonly entry: ivm.Reference<(...args: unknown[]) => void>;
  run?: TxRun;
}

/** A simulation in progress, as the host keeps it. */
interface TxRun {
  readonly proposal: Proposal;
  /** "Transaction <id> (<contract>.<fn>)", for error messages. */
  readonly where: string;
  readonly state: StateAccess;
  readonly slot: Slot;
  readonly prepared: PreparedContext;
  readonly log: (level: LogLevel, message: string) => void;
  /** Settles the simulation with the sandbox's raw outcome or a host error; later calls do nothing. */
  readonly settle: (outcome: unknown) => void;
  settled: boolean;
  /** This transaction's calls into the isolate, one after another. */
  calls: Promise<void>;
  logBytes: number;
  stateCalls: number;
  /** Version of every key served by a point read, so the reported read set can be checked against it. */
  readonly served: Map<string, Version | undefined>;
  /** State calls are answered in the order they were made: the next one to deliver, and replies waiting for it. */
  nextRequest: number;
  nextDelivery: number;
  readonly replies: Map<number, { readonly id: unknown; readonly ok: boolean; readonly value: unknown }>;
}

const COPY = { arguments: { copy: true } } as const;

export class ContractExecutor {
  readonly packageId: string;
  private readonly slots: (Slot | undefined)[];
  private readonly stackMapper: StackMapper;
  private disposed = false;
  private readonly waiters: (() => void)[] = [];
  /** Isolates rebuilt after a limit was hit; shown in status. */
  rebuilds = 0;

  constructor(
    readonly pkg: ContractPackage,
    private readonly config: HostConfig,
    private readonly log: ContractLogSink,
  ) {
    this.packageId = packageId(pkg);
    this.slots = new Array<Slot | undefined>(config.cnodeWorkers).fill(undefined);
    this.stackMapper = new StackMapper(pkg.sourceMap, config.errorStackFramesMax);
  }

  async simulate(proposal: Proposal, identity: IdentityInfo, state: StateAccess): Promise<SandboxResult> {
    if (this.disposed) throw new SandboxRestartedError(`The sandbox of ${this.pkg.name} was shut down.`, { hint: 'Retry; the contract may have been upgraded.' });
    const slot = await this.acquireSlot();
    const where = `Transaction ${proposal.txId.slice(0, 12)} (${this.pkg.name}.${proposal.fn})`;
    let run: TxRun | undefined;
    let watchdog: NodeJS.Timeout | undefined;
    try {
      const prepared = await this.takeContext(slot);
      const raw = await new Promise<unknown>((settle) => {
        run = this.newRun(proposal, where, state, slot, prepared, settle);
        watchdog = setTimeout(() => this.overran(run!), this.config.txWallTimeMs);
        const request = {
          fn: proposal.fn,
          args: proposal.args,
          identity,
          txId: proposal.txId,
          timeMs: proposal.timestamp.seconds * 1000 + Math.floor(proposal.timestamp.nanos / 1e6),
          timestamp: proposal.timestamp,
          channelId: proposal.channelId,
          limits: this.config.stub,
          rangeBatch: this.config.rangeBatchEntries,
        };
        this.enter(run, (timeout) => prepared.entry.apply(undefined, ['start', request], { ...COPY, timeout }));
      });
      if (raw instanceof Error) throw raw;
      const outcome = outcomeOf(raw);
      if (!outcome.ok) {
        throw new ContractExecutionError(this.pkg.name, proposal.fn, outcome.error.name, outcome.error.message, this.stackMapper.map(outcome.error.stack));
      }
      assertReadsServed(outcome.rwset, run!.served, where);
      assertResponseWithinRules(outcome, this.config, where);
      return { kind: outcome.kind, payload: outcome.payload, rwset: outcome.rwset, events: outcome.events };
    } catch (err) {
      throw this.explain(err, slot, proposal.fn, where);
    } finally {
      clearTimeout(watchdog);
      if (run) {
        run.settled = true;
        slot.runs.delete(run);
        // The entry reference keeps the context's bootstrap alive in the isolate's heap: release both.
        if (!slot.isolate.isDisposed) {
          run.prepared.entry.release();
          run.prepared.context.release();
        }
      }
      this.releaseSlot(slot);
    }
  }

  dispose(): void {
    this.disposed = true;
    for (const slot of this.slots) {
      if (!slot || slot.isolate.isDisposed) continue;
      slot.isolate.dispose();
    }
  }

  private newRun(proposal: Proposal, where: string, state: StateAccess, slot: Slot, prepared: PreparedContext, settle: (outcome: unknown) => void): TxRun {
    const tag = { contract: this.pkg.name, fn: proposal.fn, txId: proposal.txId };
    const run: TxRun = {
      proposal,
      where,
      state,
      slot,
      prepared,
      log: (level, message) => this.log(level, message, tag),
      settle: (outcome) => {
        if (run.settled) return;
        run.settled = true;
        settle(outcome);
      },
      settled: false,
      calls: Promise.resolve(),
      logBytes: 0,
      stateCalls: 0,
      served: new Map(),
      nextRequest: 0,
      nextDelivery: 0,
      replies: new Map(),
    };
    prepared.run = run;
    slot.runs.add(run);
    return run;
  }

  /**
   * Runs one call into the isolate for `run`, after that transaction's earlier
   * calls, so its state reads are answered in order. Each call may take up to
   * txCpuTimeMs of synchronous work, so code after every await is bounded, and
   * the whole transaction by txWallTimeMs. Calls of different transactions are
   * not held back for each other: the isolate runs them one at a time anyway.
   * A call that fails settles its own transaction; if the isolate went down,
   * isolateLost answers every transaction in it.
   */
  private enter(run: TxRun, call: (timeoutMs: number) => Promise<unknown>): void {
    const slot = run.slot;
    run.calls = run.calls.then(async () => {
      if (run.settled || slot.isolate.isDisposed) return;
      try {
        await call(this.config.txCpuTimeMs);
      } catch (err) {
        if (slot.isolate.isDisposed) return this.isolateLost(slot);
        const message = err instanceof Error ? err.message : String(err);
        run.settle(
          /timed out/i.test(message)
            ? new TxLimitExceededError(`${run.where} exceeded txCpuTimeMs (${this.config.txCpuTimeMs} ms).`, { hint: 'Look for an endless loop, or do less work per transaction.' })
            : new ContractExecutionError(this.pkg.name, run.proposal.fn, 'SandboxError', message, ''),
        );
      }
    });
  }

  /**
   * The isolate was disposed under its transactions (isolateMemoryMb). The one
   * whose context was running, as the shared marker says, exceeded the limit;
   * every other transaction in the isolate is answered now rather than left waiting.
   */
  private isolateLost(slot: Slot): void {
    const culprit = [...slot.runs].find((r) => r.prepared.contextId === slot.running[0]);
    culprit?.settle(new TxLimitExceededError(`${culprit.where} exceeded isolateMemoryMb (${this.config.isolateMemoryMb} MiB).`, { hint: 'Hold less data in memory at once; page through ranges.' }));
    const cause = culprit ? `transaction ${culprit.proposal.txId.slice(0, 12)} exceeded isolateMemoryMb` : 'a contract exceeded isolateMemoryMb while its module loaded';
    for (const other of slot.runs) {
      if (other !== culprit) other.settle(new SandboxRestartedError(`${other.where} was interrupted because its sandbox was restarted: ${cause}.`, { hint: 'Submit it again.' }));
    }
  }

  /** txWallTimeMs passed: the transaction is answered, and never called into again. */
  private overran(run: TxRun): void {
    run.settle(new TxLimitExceededError(`${run.where} exceeded txWallTimeMs (${this.config.txWallTimeMs} ms).`, { hint: 'It waited too long for state reads; the network may be overloaded.' }));
  }

  /** A state call from the sandbox: checked, run, and answered in request order while the transaction is open. */
  private onRequest(prepared: PreparedContext, id: unknown, op: unknown, a: unknown, b: unknown, c: unknown): void {
    const run = prepared.run;
    if (!run || run.settled) return;
    const seq = run.nextRequest++;
    if (++run.stateCalls > this.config.txStateCallsMax) {
      run.settle(new TxLimitExceededError(`${run.where} made more than txStateCallsMax (${this.config.txStateCallsMax}) state calls.`, { hint: 'Read fewer keys per transaction.' }));
      return;
    }
    let work: Promise<unknown>;
    try {
      work = this.stateCall(run, op, a, b, c);
    } catch (err) {
      work = Promise.reject(err);
    }
    work.then(
      (value) => this.reply(run, seq, { id, ok: true, value }),
      (err: unknown) => this.reply(run, seq, { id, ok: false, value: sandboxErrorOf(err) }),
    );
  }

  private stateCall(run: TxRun, op: unknown, a: unknown, b: unknown, c: unknown): Promise<unknown> {
    const limits = this.config.stub;
    const state = run.state;
    if (op === 'get') {
      assertValidKey(a, limits);
      return state.get(a).then((value) => {
        if (!run.served.has(a)) run.served.set(a, value?.version);
        return value;
      });
    }
    if (op === 'range') {
      assertRangeBound(a, limits);
      assertRangeBound(b, limits);
      const limit = Number.isSafeInteger(c) && (c as number) > 0 ? Math.min(c as number, this.config.rangeBatchEntries) : this.config.rangeBatchEntries;
      return state.rangePage(a, b, limit);
    }
    throw new SandboxRequestInvalidError(`The sandbox asked for an unknown state operation ${JSON.stringify(String(op)).slice(0, 40)}.`);
  }

  private reply(run: TxRun, seq: number, reply: { id: unknown; ok: boolean; value: unknown }): void {
    if (run.settled) return;
    run.replies.set(seq, reply);
    for (let next = run.replies.get(run.nextDelivery); next; next = run.replies.get(run.nextDelivery)) {
      const { id, ok, value } = next;
      run.replies.delete(run.nextDelivery++);
      this.enter(run, (timeout) => run.prepared.entry.apply(undefined, ['resume', id, ok, value], { ...COPY, timeout }));
    }
  }

  private onLog(prepared: PreparedContext, level: unknown, message: unknown): void {
    const run = prepared.run;
    if (!run || run.settled || run.logBytes > this.config.txLogBytesMax) return;
    const text = typeof message === 'string' ? message : String(message);
    run.logBytes += text.length;
    if (run.logBytes > this.config.txLogBytesMax) {
      run.log('warn', `log output exceeded txLogBytesMax (${this.config.txLogBytesMax} bytes); the rest of this transaction's log is dropped`);
      return;
    }
    run.log(isLogLevel(level) ? level : 'info', text);
  }

  /** The least-busy healthy slot with room, rebuilding disposed isolates; waits when every slot is full. */
  private async acquireSlot(): Promise<Slot> {
    for (;;) {
      let best: Slot | undefined;
      for (let i = 0; i < this.slots.length; i++) {
        let slot = this.slots[i];
        if (!slot || slot.isolate.isDisposed) {
          if (slot) this.rebuilds++;
          slot = this.slots[i] = this.createSlot();
        }
        if (slot.inFlight < this.config.isolateConcurrencyMax && (!best || slot.inFlight < best.inFlight)) best = slot;
      }
      if (best) {
        best.inFlight++;
        return best;
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  private releaseSlot(slot: Slot): void {
    slot.inFlight--;
    this.waiters.shift()?.();
  }

  private createSlot(): Slot {
    pinSandboxTimeZone();
    const isolate = new ivm.Isolate({ memoryLimit: this.config.isolateMemoryMb });
    return {
      isolate,
      bootstrap: isolate.compileScriptSync(BOOTSTRAP_SOURCE, { filename: 'flexchain-bootstrap.js' }),
      bundle: isolate.compileScriptSync(this.pkg.code, { filename: BUNDLE_FILE_NAME }),
      ready: [],
      runs: new Set(),
      running: new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT)),
      nextContextId: 1,
      inFlight: 0,
    };
  }

  /** A prepared context; starts preparing the next ones so they are ready when needed. */
  private async takeContext(slot: Slot): Promise<PreparedContext> {
    while (slot.ready.length <= this.config.isolateContextPoolSize) {
      const prepared = this.prepareContext(slot);
      // A prepared context may never be taken (its isolate is disposed first); that is not an error.
      prepared.catch(() => undefined);
      slot.ready.push(prepared);
    }
    return slot.ready.shift()!;
  }

  private async prepareContext(slot: Slot): Promise<PreparedContext> {
    const { txCpuTimeMs } = this.config;
    const context = await slot.isolate.createContext();
    const global = context.global;
    const contextId = slot.nextContextId++;
    let prepared: PreparedContext | undefined;
    await global.set('__fcHostRunning', new ivm.ExternalCopy(slot.running.buffer).copyInto({ release: true }));
    await global.set('__fcContextId', contextId);
    await global.set('__fcHostRequest', new ivm.Reference((id: unknown, op: unknown, a: unknown, b: unknown, c: unknown) => prepared && this.onRequest(prepared, id, op, a, b, c)));
    await global.set('__fcHostDone', new ivm.Reference((outcome: unknown) => prepared?.run?.settle(outcome)));
    await global.set('__fcHostLog', new ivm.Reference((level: unknown, message: unknown) => prepared && this.onLog(prepared, level, message)));
    const entry = (await slot.bootstrap.run(context, { timeout: txCpuTimeMs, reference: true })) as ivm.Reference<(...args: unknown[]) => void>;
    await slot.bundle.run(context, { timeout: txCpuTimeMs });
    prepared = { context, contextId, entry };
    return prepared;
  }

  private explain(err: unknown, slot: Slot, fn: string, where: string): unknown {
    if (err instanceof FlexChainError) return err;
    const message = err instanceof Error ? err.message : String(err);
    if (slot.isolate.isDisposed) {
      return new SandboxRestartedError(`${where} was interrupted because its sandbox was restarted.`, { hint: 'Submit it again.' });
    }
    if (/timed out/i.test(message)) {
      return new TxLimitExceededError(`${where}: the contract's top-level code exceeded txCpuTimeMs (${this.config.txCpuTimeMs} ms) while its sandbox was prepared.`, { hint: 'Do less work when the module loads.' });
    }
    return new ContractExecutionError(this.pkg.name, fn, 'SandboxError', message, '');
  }
}

/** Every point read the sandbox reports must be one the host served, at the version served. */
function assertReadsServed(rwset: RwSet, served: ReadonlyMap<string, Version | undefined>, where: string): void {
  for (const read of rwset.reads) {
    if (!served.has(read.key) || !versionsEqual(served.get(read.key), read.version)) {
      throw new SandboxOutcomeInvalidError(`${where} reports reading ${JSON.stringify(read.key.slice(0, 32))} at version ${formatVersion(read.version)}, which is not what the host served.`, {
        hint: 'The read set must come from the SDK stub; hand-made packages cannot report reads of their own.',
      });
    }
  }
}

/** A host error as the sandbox sees it: name and bounded message, no host stack or paths. */
function sandboxErrorOf(err: unknown): { name: string; message: string } {
  if (err instanceof FlexChainError) {
    const { name, message } = errorToWire(err);
    return { name, message };
  }
  return { name: 'StateReadFailedError', message: 'The host could not read state; submit the transaction again.' };
}

const LOG_LEVELS: readonly string[] = ['debug', 'info', 'warn', 'error'];
const isLogLevel = (level: unknown): level is LogLevel => typeof level === 'string' && LOG_LEVELS.includes(level);
