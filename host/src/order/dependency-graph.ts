// Builds a block's dependency graph (paper §5.1) incrementally, one transaction
// at a time as the orderer receives it, from a key index rather than by
// comparing all pairs:
//
//   per key: its last writer in the block and the readers since that write.
//   read k by T:   edge lastWriter(k) -> T                      (write -> read)
//   write k by T:  edges readersSince(k) -> T, lastWriter(k) -> T (read -> write, write -> write)
//   range [s, e) read by R: a read of the whole range: every transaction W that
//                  writes a key in it is ordered with R (earlier -> later).
//
// Point accesses are indexed as transactions arrive. Ranges are joined with
// writes once, when the block is cut, by one sweep in key order over range
// bounds and written keys: O((ranges + writes) log n) to sort, plus a scan of
// the ranges open at a written key only when that set changed since the
// writer last scanned it. A contract cannot make the orderer test every write
// against every range (a block of thousands of range reads stalled it before).
//
// Edges always go from an earlier to a later transaction. Readers before the
// last writer need no edge of their own: they precede it, and it precedes T.
// Keys are namespaced by contract. Pure: no I/O.

import { compareUtf8, type RwSet } from '@flexchain/sdk';
import { decodeProposal, decodeResponse, decodeTransaction, type DependencyGraph, type Signed } from '@flexchain/sdk/protocol';
import { namespacedKey, namespacedRange } from '../state/tiered-world-state';

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

/** A point of the range sweep: where a range read opens or closes, or a written key. */
interface SweepEvent {
  readonly key: string;
  /** At one key, closing ranges go first (ends are exclusive), then opening ones, then writes. */
  readonly kind: 0 | 1 | 2;
  readonly tx: number;
}
const CLOSE = 0;
const OPEN = 1;
const WRITE = 2;

export class DependencyGraphBuilder {
  private readonly dependencies: Set<number>[] = [];
  private readonly lastWriter = new Map<string, number>();
  private readonly readersSince = new Map<string, number[]>();
  private readonly sweep: SweepEvent[] = [];

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
      // An empty endKey is unbounded: the range never closes.
      if (range.endKey === '') this.sweep.push({ key: range.startKey, kind: OPEN, tx });
      else if (compareUtf8(range.startKey, range.endKey) < 0) this.sweep.push({ key: range.startKey, kind: OPEN, tx }, { key: range.endKey, kind: CLOSE, tx });
    }
    for (const key of access.writes) {
      edgeFrom(this.lastWriter.get(key));
      for (const reader of this.readersSince.get(key) ?? []) edgeFrom(reader);
      this.sweep.push({ key, kind: WRITE, tx });
    }
    // Index the writes only after computing edges, so a transaction never depends on itself.
    for (const key of access.writes) {
      this.lastWriter.set(key, tx);
      this.readersSince.delete(key);
    }
  }

  build(): DependencyGraph {
    this.joinRangesWithWrites();
    return { dependencies: this.dependencies.map((deps) => [...deps].sort((a, b) => a - b)) };
  }

  /** Orders every range reader with every writer of a key in its range. */
  private joinRangesWithWrites(): void {
    if (!this.sweep.some((e) => e.kind === OPEN)) return;
    this.sweep.sort((a, b) => compareUtf8(a.key, b.key) || a.kind - b.kind);
    /** Open ranges per reader, and a version that changes whenever the set of readers with an open range does. */
    const open = new Map<number, number>();
    let openVersion = 0;
    const scannedAt = new Map<number, number>();
    for (const event of this.sweep) {
      if (event.kind === OPEN) {
        const n = open.get(event.tx) ?? 0;
        open.set(event.tx, n + 1);
        if (n === 0) openVersion++;
      } else if (event.kind === CLOSE) {
        const n = open.get(event.tx)!;
        if (n === 1) {
          open.delete(event.tx);
          openVersion++;
        } else open.set(event.tx, n - 1);
      } else if (open.size > 0 && scannedAt.get(event.tx) !== openVersion) {
        // Every reader open now was ordered with this writer already if nothing opened or closed since its last scan.
        scannedAt.set(event.tx, openVersion);
        for (const reader of open.keys()) {
          if (reader < event.tx) this.dependencies[event.tx]!.add(reader);
          else if (reader > event.tx) this.dependencies[reader]!.add(event.tx);
        }
      }
    }
  }
}

/** The graph of a whole block at once (a peer that received none, and tests). */
export function dependencyGraphOf(accesses: readonly (TxAccess | undefined)[]): DependencyGraph {
  const builder = new DependencyGraphBuilder();
  for (const access of accesses) builder.add(access);
  return builder.build();
}
