// Everything the peer's side of the tiered store needs from a memory node:
// the cNode operations (RemoteMemory) plus what the eviction manager and the
// status page use. MemoryNode implements it in-process; TcpMemoryClient over
// the network. Calls that the in-process node answers synchronously are async
// here, because a remote node cannot.

import type { EvictionCandidate } from './memory-node';
import type { RemoteMemory } from './remote-memory';

/**
 * Told which buffers were freed, before the node can reuse them. `reset` means
 * the whole pool was dropped. A listener that returns a promise holds the
 * buffers back from reuse until it settles: a cNode in another thread
 * acknowledges only once its caches no longer point at them.
 */
export type FreeListener = (addresses: readonly number[], reset: boolean) => void | Promise<void>;

/** How a cNode in a worker thread reaches this memory node. */
export type MemoryThreadAccess =
  /** Same process: shared slabs for the data plane, the owning thread for the control plane. */
  | { readonly kind: 'shared'; readonly slabBytes: number }
  /** Its own connection to the node at this endpoint. */
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number };

export interface MemoryStats {
  readonly keys: number;
  readonly usedBytes: number;
  readonly capacityBytes: number;
  readonly budgetBytes: number;
  readonly freeBytes: number;
  readonly slabs: number;
  readonly garbageBytes: number;
  readonly evictedKeys: number;
  readonly collectedVersions: number;
}

export interface MemoryControl extends RemoteMemory {
  /** Latest known statistics; a remote node updates freeBytes with every reply, the rest on refreshStats(). */
  readonly stats: MemoryStats;
  refreshStats(): Promise<void>;
  beginEviction(keys: readonly string[]): Promise<EvictionCandidate[]>;
  completeEviction(candidates: readonly EvictionCandidate[]): Promise<void>;
  abortEviction(candidates: readonly EvictionCandidate[]): Promise<void>;
  someKeys(count: number): Promise<string[]>;
  collectGarbage(): Promise<void>;
  /** Drops every record: the peer rebuilds from storage (after its own crash, it cannot trust half-applied writes). */
  reset(): Promise<void>;
  /** Closes the connection to a remote node; nothing for an in-process one. */
  close(): void;
  /** Called with buffers the node freed, before it can reuse them. */
  onFree(listener: FreeListener): void;
  /** How cNode threads attach to this node. */
  threadAccess(): MemoryThreadAccess;
}
