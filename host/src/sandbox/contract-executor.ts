// Runs one contract's transactions in isolated-vm sandboxes on a cNode.
//
// One isolate per contract per cNode worker (config.cnodeWorkers), reused
// across transactions: a hardened realm (hardened-realm.ts, bootstrap.ts) in
// which every transaction instantiates the contract module afresh, so nothing
// one transaction leaves in module variables, instances, closures or
// globalThis reaches the next, and the shared intrinsics, global and SDK are frozen.
//
// The host drives the realm: it starts each transaction and resumes it with
// each state read's result, one call at a time. So:
// - every piece of contract code, before and after each await, runs inside a
//   host call for its own transaction bounded by txCpuTimeMs, and the
//   transaction by txWallTimeMs;
// - a call cut off at txCpuTimeMs may leave promise jobs queued in V8; the
//   realm is drained (entered as no transaction) before anyone else's code
//   runs, and rebuilt if draining does not finish;
// - an isolate that hits isolateMemoryMb is blamed on the transaction that was
//   running (a marker in shared memory that the bootstrap writes at every
//   entry); every other transaction in it gets SandboxRestartedError at once;
// - state reads are answered in the order they were made, so completion order
//   cannot differ between endorsers;
// - once a transaction settles (outcome, error, or txWallTimeMs) it is never
//   called into again: a continuation it left pending never runs.
// Every state request is checked here (key rules, page size, txStateCallsMax),
// log output is capped (txLogBytesMax), and the outcome is checked for shape
// (sandbox-outcome.ts), against the reads actually served, and against the
// host's response rules before anyone signs it. Safe to call concurrently.

import { assertValidKey, FlexChainError, formatVersion, versionsEqual, type ChaincodeEvent, type IdentityInfo, type LogLevel, type RwSet, type TransactionKind, type Version } from '@flexchain/sdk';
import { errorToWire, type Proposal } from '@flexchain/sdk/protocol';
import type { HostConfig } from '../config';
import type { StateAccess } from '../state/state-access';
import { assertRangeBound, assertResponseWithinRules, TxLimitExceededError } from '../validate/response-rules';
import { packageId, type ContractPackage } from './contract-package';
import { after, HardenedRealm, isTimeout, type CallResult } from './hardened-realm';
import { outcomeOf, SandboxOutcomeInvalidError } from './sandbox-outcome';
import { StackMapper } from './source-map';

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
  readonly realm: HardenedRealm;
  /** Transactions running in this isolate, by number. */
  readonly runs: Map<number, TxRun>;
  /** Numbers of transactions that settled since the last start, so the realm can forget them. */
  ended: number[];
  /** Calls into an asynchronous realm, one after another. */
  queue: Promise<void>;
  inFlight: number;
}

/** A simulation in progress, as the host keeps it. */
interface TxRun {
  /** Number of the transaction in its realm; never 0, which is no transaction. */
  readonly n: number;
  readonly proposal: Proposal;
  /** "Transaction <id> (<contract>.<fn>)", for error messages. */
  readonly where: string;
  readonly state: StateAccess;
  readonly slot: Slot;
  readonly log: (level: LogLevel, message: string) => void;
  /** Settles the simulation with the sandbox's raw outcome or a host error; later calls do nothing. */
  readonly settle: (outcome: unknown) => void;
  settled: boolean;
  logBytes: number;
  stateCalls: number;
  /** Version of every key served by a point read, so the reported read set can be checked against it. */
  readonly served: Map<string, Version | undefined>;
  /** State calls are answered in the order they were made: the next one to deliver, and replies waiting for it. */
  nextRequest: number;
  nextDelivery: number;
  readonly replies: Map<number, { readonly id: unknown; readonly ok: boolean; readonly value: unknown }>;
}

/** Largest transaction number in a realm: what an Int32Array element holds. */
const TX_NUMBER_MAX = 0x7fffffff;

/** Drain calls after a cut-off call before the realm is rebuilt: V8 drops the queue when a drain is cut off too, so two suffice. */
const DRAIN_CALLS_MAX = 3;

export interface ContractExecutorOptions {
  /** Enter realms with applySync: for a sandbox process, whose thread runs nothing else. */
  readonly syncCalls?: boolean;
}

export class ContractExecutor {
  readonly packageId: string;
  private readonly slots: (Slot | undefined)[];
  private readonly stackMapper: StackMapper;
  private readonly syncCalls: boolean;
  private disposed = false;
  private readonly waiters: (() => void)[] = [];
  private nextTx = 1;
  /** Isolates rebuilt after a limit was hit; shown in status. */
  rebuilds = 0;

  constructor(
    readonly pkg: ContractPackage,
    private readonly config: HostConfig,
    private readonly log: ContractLogSink,
    options: ContractExecutorOptions = {},
  ) {
    this.packageId = packageId(pkg);
    this.slots = new Array<Slot | undefined>(config.cnodeWorkers).fill(undefined);
    this.stackMapper = new StackMapper(pkg.sourceMap, config.errorStackFramesMax);
    this.syncCalls = options.syncCalls ?? false;
  }

  async simulate(proposal: Proposal, identity: IdentityInfo, state: StateAccess): Promise<SandboxResult> {
    if (this.disposed) throw new SandboxRestartedError(`The sandbox of ${this.pkg.name} was shut down.`, { hint: 'Retry; the contract may have been upgraded.' });
    const where = `Transaction ${proposal.txId.slice(0, 12)} (${this.pkg.name}.${proposal.fn})`;
    const slot = await this.acquireSlot(where);
    let run: TxRun | undefined;
    let watchdog: NodeJS.Timeout | undefined;
    try {
      const raw = await new Promise<unknown>((settle) => {
        run = this.newRun(proposal, where, state, slot, settle);
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
        const ended = slot.ended;
        slot.ended = [];
        this.enter(run, ['start', run.n, request, ended]);
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
        slot.runs.delete(run.n);
        slot.ended.push(run.n);
      }
      this.releaseSlot(slot);
    }
  }

  dispose(): void {
    this.disposed = true;
    for (const slot of this.slots) slot?.realm.dispose();
  }

  /** Numbers stay positive int32s (the shared `running` marker holds one), wrapping long before any in flight could repeat. */
  private takeTxNumber(): number {
    const n = this.nextTx;
    this.nextTx = n >= TX_NUMBER_MAX ? 1 : n + 1;
    return n;
  }

  private newRun(proposal: Proposal, where: string, state: StateAccess, slot: Slot, settle: (outcome: unknown) => void): TxRun {
    const tag = { contract: this.pkg.name, fn: proposal.fn, txId: proposal.txId };
    const run: TxRun = {
      n: this.takeTxNumber(),
      proposal,
      where,
      state,
      slot,
      log: (level, message) => this.log(level, message, tag),
      settle: (outcome) => {
        if (run.settled) return;
        run.settled = true;
        settle(outcome);
      },
      settled: false,
      logBytes: 0,
      stateCalls: 0,
      served: new Map(),
      nextRequest: 0,
      nextDelivery: 0,
      replies: new Map(),
    };
    slot.runs.set(run.n, run);
    return run;
  }

  /**
   * One call into the realm for `run`, after every call before it (the realm
   * runs one at a time), so its state reads are answered in order. Each call
   * may take up to txCpuTimeMs of synchronous work, so code after every await
   * is bounded, and the whole transaction by txWallTimeMs. A call that fails
   * settles its own transaction; if the isolate went down, isolateLost answers
   * every transaction in it.
   */
  private enter(run: TxRun, args: readonly unknown[]): void {
    const slot = run.slot;
    const step = (): void | Promise<void> => {
      if (run.settled || slot.realm.disposed) return;
      return after(slot.realm.call(args, this.config.txCpuTimeMs), (result) => (result.ok ? undefined : this.callFailed(run, result)));
    };
    if (this.syncCalls) void step();
    else slot.queue = slot.queue.then(step);
  }

  private callFailed(run: TxRun, result: Extract<CallResult, { ok: false }>): void | Promise<void> {
    const slot = run.slot;
    if (slot.realm.disposed) return this.isolateLost(slot);
    if (!isTimeout(result.error)) {
      const message = result.error instanceof Error ? result.error.message : String(result.error);
      return run.settle(new ContractExecutionError(this.pkg.name, run.proposal.fn, 'SandboxError', message, ''));
    }
    run.settle(new TxLimitExceededError(`${run.where} exceeded txCpuTimeMs (${this.config.txCpuTimeMs} ms).`, { hint: 'Look for an endless loop, or do less work per transaction.' }));
    return this.drain(slot, 0);
  }

  /**
   * A cut-off call can leave promise jobs of its transaction queued in V8, which
   * would run in the next call, someone else's. Entering the realm as no
   * transaction runs them where they can reach nothing; if they run over, V8
   * drops the rest of the queue, and a realm that still does not drain is rebuilt.
   */
  private drain(slot: Slot, attempt: number): void | Promise<void> {
    if (attempt === DRAIN_CALLS_MAX) {
      slot.realm.dispose();
      return this.isolateLost(slot);
    }
    return after(slot.realm.call(['drain'], this.config.txCpuTimeMs), (result) => {
      if (result.ok) return;
      if (slot.realm.disposed) return this.isolateLost(slot);
      return this.drain(slot, attempt + 1);
    });
  }

  /**
   * The isolate was disposed under its transactions (isolateMemoryMb). The one
   * that was running, as the shared marker says, exceeded the limit; every
   * other transaction in the isolate is answered now rather than left waiting.
   */
  private isolateLost(slot: Slot): void {
    const culprit = slot.runs.get(slot.realm.running[0]!);
    culprit?.settle(new TxLimitExceededError(`${culprit.where} exceeded isolateMemoryMb (${this.config.isolateMemoryMb} MiB).`, { hint: 'Hold less data in memory at once; page through ranges.' }));
    const cause = culprit ? `transaction ${culprit.proposal.txId.slice(0, 12)} exceeded isolateMemoryMb` : 'code left queued by a transaction that was cut off ran over its time again';
    for (const other of slot.runs.values()) {
      if (other !== culprit) other.settle(new SandboxRestartedError(`${other.where} was interrupted because its sandbox was restarted: ${cause}.`, { hint: 'Submit it again.' }));
    }
  }

  /** txWallTimeMs passed: the transaction is answered, and never called into again. */
  private overran(run: TxRun): void {
    run.settle(new TxLimitExceededError(`${run.where} exceeded txWallTimeMs (${this.config.txWallTimeMs} ms).`, { hint: 'It waited too long for state reads; the network may be overloaded.' }));
  }

  /** A state call from the sandbox: checked, run, and answered in request order while the transaction is open. */
  private onRequest(run: TxRun, id: unknown, op: unknown, a: unknown, b: unknown, c: unknown): void {
    if (run.settled) return;
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
      this.enter(run, ['resume', run.n, id, ok, value]);
    }
  }

  private onLog(run: TxRun | undefined, level: unknown, message: unknown): void {
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
  private async acquireSlot(where: string): Promise<Slot> {
    for (;;) {
      let best: Slot | undefined;
      for (let i = 0; i < this.slots.length; i++) {
        let slot = this.slots[i];
        if (!slot || slot.realm.disposed) {
          if (slot) this.rebuilds++;
          slot = this.slots[i] = this.createSlot(where);
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

  private createSlot(where: string): Slot {
    const runs = new Map<number, TxRun>();
    const runOf = (n: unknown) => (typeof n === 'number' ? runs.get(n) : undefined);
    let realm: HardenedRealm;
    try {
      realm = new HardenedRealm(this.pkg.code, this.config.isolateMemoryMb, this.config.txCpuTimeMs, {
        request: (n, id, op, a, b, c) => {
          const run = runOf(n);
          if (run) this.onRequest(run, id, op, a, b, c);
        },
        done: (n, outcome) => runOf(n)?.settle(outcome),
        log: (n, level, message) => this.onLog(runOf(n), level, message),
      }, this.syncCalls);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (isTimeout(err)) throw new TxLimitExceededError(`${where}: the contract's sandbox did not load within txCpuTimeMs (${this.config.txCpuTimeMs} ms).`, { hint: 'Do less work when the module loads.' });
      throw new ContractExecutionError(this.pkg.name, '(load)', 'SandboxError', `the contract's sandbox did not load: ${message}`, '');
    }
    return { realm, runs, ended: [], queue: Promise.resolve(), inFlight: 0 };
  }

  private explain(err: unknown, slot: Slot, fn: string, where: string): unknown {
    if (err instanceof FlexChainError) return err;
    const message = err instanceof Error ? err.message : String(err);
    if (slot.realm.disposed) {
      return new SandboxRestartedError(`${where} was interrupted because its sandbox was restarted.`, { hint: 'Submit it again.' });
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
