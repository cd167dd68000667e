// Runs one contract's transactions in isolated-vm sandboxes on a cNode.
//
// One isolate per contract per cNode worker (config.cnodeWorkers), reused
// across transactions; every transaction gets a fresh context, so nothing a
// transaction leaves in module globals reaches the next one. Contexts are
// prepared ahead (bootstrap and bundle evaluated on the isolate's thread) so a
// transaction costs one host-to-isolate call plus its state reads. Limits: isolate
// heap (isolateMemoryMb), synchronous CPU time per step (txCpuTimeMs), wall
// time per simulation (txWallTimeMs, enforced by disposing the isolate), rw-set
// size (rwSetKeysMax, rwSetBytesMax). A broken isolate is rebuilt on the next
// call; the cNode keeps serving. Safe to call concurrently.

import ivm from 'isolated-vm';
import { encodeRwSet, FlexChainError, type ChaincodeEvent, type IdentityInfo, type LogLevel, type RwSet, type TransactionKind } from '@flexchain/sdk';
import type { HostConfig } from '../config';
import type { Proposal } from '@flexchain/sdk/protocol';
import type { StateAccess } from '../state/state-access';
import { BOOTSTRAP_SOURCE } from './bootstrap';
import { packageId, type ContractPackage } from './contract-package';
import { BUNDLE_FILE_NAME } from './packager';
import { StackMapper } from './source-map';

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

export class TxLimitExceededError extends FlexChainError {
  override name = 'TxLimitExceededError';
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
  readonly ready: Promise<ivm.Context>[];
  inFlight: number;
  /** Why the slot's isolate was disposed on purpose, keyed by the tx that caused it. */
  killedBy?: { txId: string; reason: string };
}

/** A simulation in progress: where its reads go and how its logs are tagged. */
interface ActiveTx {
  readonly state: StateAccess;
  readonly log: (level: LogLevel, message: string) => void;
}

type RawOutcome = { ok: true; kind: TransactionKind; payload: Uint8Array; rwset: RwSet; events: ChaincodeEvent[] } | { ok: false; error: { name: string; message: string; stack: string } };

export class ContractExecutor {
  readonly packageId: string;
  private readonly slots: (Slot | undefined)[];
  private readonly stackMapper: StackMapper;
  private disposed = false;
  private readonly waiters: (() => void)[] = [];
  private readonly active = new Map<string, ActiveTx>();
  /** Isolates rebuilt after a limit was hit; shown in status. */
  rebuilds = 0;

  constructor(
    readonly pkg: ContractPackage,
    private readonly config: HostConfig,
    private readonly log: ContractLogSink,
  ) {
    this.packageId = packageId(pkg);
    this.slots = new Array<Slot | undefined>(config.cnodeWorkers).fill(undefined);
    this.stackMapper = new StackMapper(pkg.sourceMap);
  }

  async simulate(proposal: Proposal, identity: IdentityInfo, state: StateAccess): Promise<SandboxResult> {
    if (this.disposed) throw new SandboxRestartedError(`The sandbox of ${this.pkg.name} was shut down.`, { hint: 'Retry; the contract may have been upgraded.' });
    const slot = await this.acquireSlot();
    const { txCpuTimeMs, txWallTimeMs } = this.config;
    const tag = { contract: this.pkg.name, fn: proposal.fn, txId: proposal.txId };
    const hostLog = (level: LogLevel, message: string) => this.log(level, message, tag);
    const watchdog = setTimeout(() => this.kill(slot, proposal.txId, `exceeded txWallTimeMs (${txWallTimeMs} ms)`), txWallTimeMs);
    this.active.set(proposal.txId, { state, log: hostLog });
    let context: ivm.Context | undefined;
    try {
      context = await this.takeContext(slot);
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
      const outcome = (await context.evalClosure('return globalThis.__flexchain.simulate($0)', [request], {
        arguments: { copy: true },
        result: { promise: true, copy: true },
        timeout: txCpuTimeMs,
      })) as RawOutcome;
      if (!outcome.ok) {
        throw new ContractExecutionError(this.pkg.name, proposal.fn, outcome.error.name, outcome.error.message, this.stackMapper.map(outcome.error.stack));
      }
      this.checkRwSetLimits(proposal, outcome.rwset);
      return { kind: outcome.kind, payload: outcome.payload, rwset: outcome.rwset, events: outcome.events };
    } catch (err) {
      throw this.explain(err, slot, proposal);
    } finally {
      clearTimeout(watchdog);
      this.active.delete(proposal.txId);
      if (context && !slot.isolate.isDisposed) context.release();
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
    const isolate = new ivm.Isolate({ memoryLimit: this.config.isolateMemoryMb });
    return {
      isolate,
      bootstrap: isolate.compileScriptSync(BOOTSTRAP_SOURCE, { filename: 'flexchain-bootstrap.js' }),
      bundle: isolate.compileScriptSync(this.pkg.code, { filename: BUNDLE_FILE_NAME }),
      ready: [],
      inFlight: 0,
    };
  }

  /** A prepared context; starts preparing the next ones so they are ready when needed. */
  private async takeContext(slot: Slot): Promise<ivm.Context> {
    while (slot.ready.length <= this.config.isolateContextPoolSize) {
      const prepared = this.prepareContext(slot);
      // A prepared context may never be taken (its isolate is disposed first); that is not an error.
      prepared.catch(() => undefined);
      slot.ready.push(prepared);
    }
    return slot.ready.shift()!;
  }

  private async prepareContext(slot: Slot): Promise<ivm.Context> {
    const { txCpuTimeMs } = this.config;
    const context = await slot.isolate.createContext();
    const global = context.global;
    const byTx = (txId: string) => {
      const tx = this.active.get(txId);
      if (!tx) throw new SandboxRestartedError(`No transaction ${txId} is running in this sandbox.`);
      return tx;
    };
    await global.set('__fcHostGet', new ivm.Reference((txId: string, key: string) => byTx(txId).state.get(key)));
    await global.set('__fcHostRange', new ivm.Reference((txId: string, start: string, end: string, limit: number) => byTx(txId).state.rangePage(start, end, limit)));
    await global.set('__fcHostLog', new ivm.Reference((txId: string, level: LogLevel, message: string) => this.active.get(txId)?.log(level, message)));
    await slot.bootstrap.run(context, { timeout: txCpuTimeMs });
    await slot.bundle.run(context, { timeout: txCpuTimeMs });
    return context;
  }

  private kill(slot: Slot, txId: string, reason: string): void {
    if (slot.isolate.isDisposed) return;
    slot.ready.length = 0;
    slot.killedBy = { txId, reason };
    slot.isolate.dispose();
  }

  private explain(err: unknown, slot: Slot, proposal: Proposal): unknown {
    if (err instanceof FlexChainError) return err;
    const message = err instanceof Error ? err.message : String(err);
    const where = `Transaction ${proposal.txId.slice(0, 12)} (${this.pkg.name}.${proposal.fn})`;
    if (/timed out/i.test(message)) {
      return new TxLimitExceededError(`${where} exceeded txCpuTimeMs (${this.config.txCpuTimeMs} ms).`, { hint: 'Look for an endless loop, or do less work per transaction.' });
    }
    if (/memory limit/i.test(message)) {
      return new TxLimitExceededError(`${where} exceeded isolateMemoryMb (${this.config.isolateMemoryMb} MiB).`, { hint: 'Hold less data in memory at once; page through ranges.' });
    }
    if (slot.killedBy?.txId === proposal.txId) {
      return new TxLimitExceededError(`${where} ${slot.killedBy.reason}.`, { hint: 'Look for an endless loop after an await, or very many state reads.' });
    }
    if (slot.isolate.isDisposed) {
      return new SandboxRestartedError(`${where} was interrupted because its sandbox was restarted after another transaction hit a limit.`, { hint: 'Submit it again.' });
    }
    return new ContractExecutionError(this.pkg.name, proposal.fn, 'SandboxError', message, '');
  }

  private checkRwSetLimits(proposal: Proposal, rwset: RwSet): void {
    const keys = rwset.reads.length + rwset.writes.length + rwset.rangeQueries.reduce((n, q) => n + q.reads.length, 0);
    if (keys > this.config.rwSetKeysMax) {
      throw new TxLimitExceededError(`Transaction ${proposal.txId.slice(0, 12)} touched ${keys} keys, over rwSetKeysMax (${this.config.rwSetKeysMax}).`, { hint: 'Split the work across several transactions.' });
    }
    const bytes = encodeRwSet(rwset).length;
    if (bytes > this.config.rwSetBytesMax) {
      throw new TxLimitExceededError(`Transaction ${proposal.txId.slice(0, 12)} has a ${bytes}-byte rw-set, over rwSetBytesMax (${this.config.rwSetBytesMax} bytes).`, { hint: 'Write less per transaction.' });
    }
  }
}
