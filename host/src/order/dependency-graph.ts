// Builds a block's dependency graph (paper §5.1) incrementally, one transaction
// at a time as the orderer receives it, from a key index rather than by
// comparing all pairs:
//
//   per key: its last writer in the block and the readers since that write.
//   read k by T:   edge lastWriter(k) -> T                      (write -> read)
//   write k by T:  edges readersSince(k) -> T, lastWriter(k) -> T (read -> write, write -> write)
//   range [s, e) read by T: a read of the whole range: edges from the last writer
//                  of every key in it; later writers of a key in it get an edge from T.
//
// Edges always go from an earlier to a later transaction. Readers before the
// last writer need no edge of their own: they precede it, and it precedes T.
// Keys are namespaced by contract. Pure: no I/O.

import { keyInRange, type RwSet } from '@flexchain/sdk';
import { decodeProposal, decodeResponse, decodeTransaction, type DependencyGraph, type Signed } from '@flexchain/sdk/protocol';
import { namespacedKey, namespacedRange } from '../state/tiered-world-state';
import { SortedKeySet } from '../state/sorted-key-set';

/** What a transaction touches, in namespaced keys. */
export interface TxAccess {
  readonly reads: readonly string[];
  readonly ranges: readonly { readonly startKey: string; readonly endKey: string }[];
  readonly writes: readonly string[];
}

/** The namespaced keys a contract's rw-set touches. */
export function accessOf(contract: string, rwset: RwSet): TxAccess {
  return {
    reads: rwset.reads.map((r) => namespacedKey(contract, r.key)),
    ranges: rwset.rangeQueries.map((q) => namespacedRange(contract, q.startKey, q.endKey)),
    writes: rwset.writes.map((w) => namespacedKey(contract, w.key)),
  };
}

/** The access of an ordered envelope, or undefined if it does not decode (the peer will reject it at V1). */
export function accessOfEnvelope(envelope: Signed): TxAccess | undefined {
  try {
    const content = decodeTransaction(envelope.payload);
    return accessOf(decodeProposal(content.proposal).contract, decodeResponse(content.response).rwset);
  } catch {
    return undefined;
  }
}

export class DependencyGraphBuilder {
  private readonly dependencies: Set<number>[] = [];
  private readonly lastWriter = new Map<string, number>();
  private readonly readersSince = new Map<string, number[]>();
  /** Keys written so far, ordered, to find the writers inside a range. */
  private readonly written = new SortedKeySet();
  private readonly rangeReaders: { readonly tx: number; readonly startKey: string; readonly endKey: string }[] = [];

  /** Adds the next transaction; undefined access (undecodable) gets no edges. */
  add(access: TxAccess | undefined): void {
    const tx = this.dependencies.length;
    const deps = new Set<number>();
    this.dependencies.push(deps);
    if (!access) return;
    const edgeFrom = (earlier: number | undefined) => {
      if (earlier !== undefined && earlier !== tx) deps.add(earlier);
    };
    for (const key of access.reads) {
      edgeFrom(this.lastWriter.get(key));
      const readers = this.readersSince.get(key);
      if (readers) readers.push(tx);
      else this.readersSince.set(key, [tx]);
    }
    for (const range of access.ranges) {
      for (const key of this.written.range(range.startKey, range.endKey)) edgeFrom(this.lastWriter.get(key));
      this.rangeReaders.push({ tx, ...range });
    }
    for (const key of access.writes) {
      edgeFrom(this.lastWriter.get(key));
      for (const reader of this.readersSince.get(key) ?? []) edgeFrom(reader);
      for (const range of this.rangeReaders) if (keyInRange(key, range.startKey, range.endKey)) edgeFrom(range.tx);
    }
    // Index the writes only after computing edges, so a transaction never depends on itself.
    for (const key of access.writes) {
      this.lastWriter.set(key, tx);
      this.readersSince.delete(key);
      this.written.add(key);
    }
  }

  build(): DependencyGraph {
    return { dependencies: this.dependencies.map((deps) => [...deps].sort((a, b) => a - b)) };
  }
}

/** The graph of a whole block at once (a peer that received none, and tests). */
export function dependencyGraphOf(accesses: readonly (TxAccess | undefined)[]): DependencyGraph {
  const builder = new DependencyGraphBuilder();
  for (const access of accesses) builder.add(access);
  return builder.build();
}
