// The eviction manager (paper §4.3): when free remote memory falls below
// evictionFreeBytesMin, gather cold keys from the cNodes (their metadata LRU),
// lock them and clear their valid flag on the mNode, flush their latest
// versions to storage, invalidate them on every cNode, then free their buffers.
// Runs in the background; foreground readers of a key being evicted see the
// invalid flag, back off and retry, and find the key in storage afterwards.
// Rounds never overlap.

import type { MemoryControl } from './remote-memory/memory-control';
import { decodeRecord } from './remote-memory/record-layout';
import type { StoredRecord } from './storage-node';

export interface EvictionLimits {
  /** Evict when the free bytes under the memory budget fall below this. */
  readonly evictionFreeBytesMin: number;
  /** Keys evicted per round. */
  readonly evictionBatchKeys: number;
}

export interface EvictionParticipants {
  readonly memory: Pick<MemoryControl, 'stats' | 'beginEviction' | 'completeEviction' | 'abortEviction' | 'someKeys'>;
  /** Where evicted records go: storage directly, or through the materialiser's queue. */
  readonly storage: { persistEvicted(records: readonly StoredRecord[]): Promise<void> };
  /** Every cNode of the peer; one in another thread answers asynchronously. */
  cnodes(): readonly { coldKeys(count: number): string[] | Promise<string[]>; evicted(keys: readonly string[]): void | Promise<void> }[];
}

export class EvictionManager {
  private running: Promise<number> | undefined;
  rounds = 0;

  constructor(
    private readonly participants: EvictionParticipants,
    private readonly limits: EvictionLimits,
  ) {}

  needed(): boolean {
    return this.participants.memory.stats.freeBytes < this.limits.evictionFreeBytesMin;
  }

  /** Resolves once no eviction is running. */
  async idle(): Promise<void> {
    while (this.running) await this.running.catch(() => undefined);
  }

  /**
   * Evicts in rounds until free memory is back above the threshold (at least
   * one round), or joins the eviction already running; resolves with the keys evicted.
   */
  evict(): Promise<number> {
    this.running ??= (async () => {
      let evicted = 0;
      for (;;) {
        const n = await this.round();
        evicted += n;
        if (n === 0 || !this.needed()) return evicted;
      }
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async round(): Promise<number> {
    const { memory } = this.participants;
    const cnodes = this.participants.cnodes();
    const perNode = Math.max(1, Math.ceil(this.limits.evictionBatchKeys / Math.max(1, cnodes.length)));
    const cold = new Set((await Promise.all(cnodes.map((c) => c.coldKeys(perNode)))).flat());
    // Keys only in memory (never read by a cNode since) are cold too.
    if (cold.size < this.limits.evictionBatchKeys) for (const key of await memory.someKeys(this.limits.evictionBatchKeys - cold.size)) cold.add(key);
    return this.evictKeys(cold);
  }

  /** Evicts these keys (those in memory and not already being evicted); resolves with how many. */
  async evictKeys(keys: Iterable<string>): Promise<number> {
    const { memory, storage } = this.participants;
    const candidates = await memory.beginEviction([...keys]);
    try {
      await storage.persistEvicted(candidates.map(({ key, record }) => {
        const decoded = decodeRecord(record);
        return { key, version: decoded.version, value: decoded.value };
      }));
    } catch (err) {
      // Nothing was dropped from memory: make the records valid again and let the caller see the failure.
      await memory.abortEviction(candidates);
      throw err;
    }
    const evicted = candidates.map((c) => c.key);
    await Promise.all(this.participants.cnodes().map((cnode) => cnode.evicted(evicted)));
    await memory.completeEviction(candidates);
    this.rounds++;
    return candidates.length;
  }
}
