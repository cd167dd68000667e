// The peer's handle on a cNode running in a worker thread (cnode-thread.ts).
// It serves the thread's control-plane calls against whichever memory node
// the peer uses now, and carries the coherence protocol the other way:
// invalidations of one event-loop turn go as one message, and a write counts
// as committed only once the thread has acknowledged it (paper §4.2).
//
// A thread that dies holds no caches, so coherence calls to it succeed; work
// handed to it fails with ThreadLostError and the caller runs it elsewhere.

import { existsSync } from 'node:fs';
import { sep } from 'node:path';
import { Worker } from 'node:worker_threads';
import { FlexChainError, type KVRead, type RangeQueryInfo, type TxValidationCodeName } from '@flexchain/sdk';
import type { PendingEntry } from '../../validate/block-overlay';
import type { ComputeNodeLimits } from '../compute-node-state';
import type { MemoryControl, MemoryThreadAccess } from '../remote-memory/memory-control';
import { MemoryNode } from '../remote-memory/memory-node';
import type { ThreadComputeNode, TieredStateLimits } from '../tiered-world-state';
import { PortEndpoint, ThreadLostError } from './port-endpoint';

export class ThreadScriptMissingError extends FlexChainError {
  override name = 'ThreadScriptMissingError';
}

export class SlabsNotSharedError extends FlexChainError {
  override name = 'SlabsNotSharedError';
}

export interface ComputeNodeThreadData {
  readonly name: string;
  /** The peer's LevelDB, opened again by the thread for storage reads. */
  readonly ledgerLocation: string;
  readonly limits: ComputeNodeLimits & Pick<TieredStateLimits, 'rangeKeyBatch' | 'commitParallelism'>;
}

/** V2 of one transaction, as shipped to a thread: its reads, its range queries and the block's pending writes they can see. */
export interface MvccTask {
  readonly contract: string;
  readonly reads: readonly KVRead[];
  readonly rangeQueries: readonly RangeQueryInfo[];
  readonly pending: readonly PendingEntry[];
}

export interface ThreadCacheStats {
  readonly memoryReads: number;
  readonly storageReads: number;
  readonly retries: number;
  readonly dataHits: number;
  readonly dataMisses: number;
}

// Under ts-jest this module is TypeScript source; the thread always runs the compiled script.
const SCRIPT = (__filename.endsWith('.ts') ? __dirname.replace(/([\\/])src([\\/])(?!.*[\\/]src[\\/])/, '$1dist$2') : __dirname) + sep + 'cnode-thread.js';

export class ComputeNodeThread implements ThreadComputeNode {
  /** Tasks handed to the thread and not answered yet. */
  inFlight = 0;
  private invalidations: (readonly [string, number])[] = [];
  private flush: Promise<void> | undefined;
  private lost: Error | undefined;

  private constructor(
    readonly name: string,
    private readonly worker: Worker,
    private readonly endpoint: PortEndpoint,
  ) {}

  /** Starts the thread and attaches it to `memory()`, the peer's current memory node. */
  static async start(data: ComputeNodeThreadData, memory: () => MemoryControl): Promise<ComputeNodeThread> {
    if (!existsSync(SCRIPT)) throw new ThreadScriptMissingError(`The cNode thread script ${SCRIPT} is missing.`, { hint: 'Build the project first: npm run build.' });
    const worker = new Worker(SCRIPT, { workerData: data, execArgv: [] });
    const shared = () => {
      const node = memory();
      if (!(node instanceof MemoryNode)) throw new SlabsNotSharedError('The memory node is not in this process; its slabs cannot be shared.', { hint: 'Attach the thread over TCP (threadAccess kind "tcp").' });
      return node;
    };
    const endpoint = new PortEndpoint(worker, {
      allocate: (bytes: number) => memory().allocate(bytes),
      release: (address: number, bytes: number) => memory().release(address, bytes),
      lookup: (key: string) => memory().lookup(key),
      link: (key: string, address: number, options?: { onlyIfAbsent?: boolean }) => memory().link(key, address, options),
      keys: (startKey: string, endKey: string, limit: number) => memory().keys(startKey, endKey, limit),
      slabs: () => shared().sharedSlabs(),
    });
    const thread = new ComputeNodeThread(data.name, worker, endpoint);
    const lose = (err?: Error) => {
      thread.lost ??= new ThreadLostError(`cNode thread ${data.name} stopped.`, err ? { details: err.message } : {});
      endpoint.fail(thread.lost);
    };
    worker.on('error', lose);
    worker.on('exit', () => lose());
    try {
      await thread.attach(memory().threadAccess());
    } catch (err) {
      await thread.close();
      throw err;
    }
    return thread;
  }

  get alive(): boolean {
    return this.lost === undefined;
  }

  /** V2 of one transaction on the thread. */
  async check(task: MvccTask): Promise<TxValidationCodeName> {
    this.inFlight++;
    try {
      return await this.endpoint.call<TxValidationCodeName>('check', task);
    } finally {
      this.inFlight--;
    }
  }

  invalidate(key: string, address: number): Promise<void> {
    this.invalidations.push([key, address]);
    this.flush ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      const batch = this.invalidations;
      this.invalidations = [];
      this.flush = undefined;
      return this.coherence('invalidate', batch);
    });
    return this.flush;
  }

  async coldKeys(count: number): Promise<string[]> {
    return this.lost ? [] : this.endpoint.call<string[]>('coldKeys', count).catch((err: unknown) => this.unlessLost(err, []));
  }

  evicted(keys: readonly string[]): Promise<void> {
    return this.coherence('evicted', keys);
  }

  freed(addresses: readonly number[], reset: boolean): Promise<void> {
    return this.coherence('freed', addresses, reset);
  }

  attach(access: MemoryThreadAccess): Promise<void> {
    return this.endpoint.call('attach', access);
  }

  stats(): Promise<ThreadCacheStats> {
    return this.endpoint.call('stats');
  }

  /** Closes the thread's connections and LevelDB handle, then stops it. */
  async close(): Promise<void> {
    if (!this.lost) await this.endpoint.call('close').catch(() => undefined);
    this.lost ??= new ThreadLostError(`cNode thread ${this.name} was closed.`);
    this.endpoint.fail(this.lost);
    await this.worker.terminate();
  }

  /** A coherence message: acknowledged by a live thread, moot for a lost one. */
  private coherence(op: string, ...args: unknown[]): Promise<void> {
    return this.endpoint.call<void>(op, ...args).catch((err: unknown) => this.unlessLost(err, undefined));
  }

  private unlessLost<T>(err: unknown, value: T): T {
    if (err instanceof ThreadLostError) return value;
    throw err;
  }
}
