// The seam between transaction simulation and wherever committed state lives.
//
// The mocked world state implements it over a sorted in-memory map; the host
// implements it over the tiered store (cNode cache, remote memory, LevelDB).
// Simulation and validation only ever see this interface, which is how a unit
// test and the network agree on what a call does.

import type { Version } from './rwset';

export interface VersionedValue {
  readonly value: Uint8Array;
  readonly version: Version;
}

export interface VersionedEntry extends VersionedValue {
  readonly key: string;
}

/** Read access to committed state. Implementations may be called concurrently. */
export interface VersionedStateReader {
  /** The committed value and version of `key`, or undefined if absent. */
  get(key: string): Promise<VersionedValue | undefined>;
  /**
   * Committed entries in [startKey, endKey) in UTF-8 byte order; endKey '' means unbounded.
   * The iteration reflects one consistent state even if commits happen meanwhile.
   */
  range(startKey: string, endKey: string): AsyncIterable<VersionedEntry>;
}

/** One change in a committed batch. A delete has no value. */
export type StateWrite = { readonly key: string; readonly value: Uint8Array } | { readonly key: string; readonly delete: true };

/** Read and batched-commit access to committed state. */
export interface VersionedStateStore extends VersionedStateReader {
  /** Applies all writes atomically with the given version each. */
  commit(batch: readonly { readonly write: StateWrite; readonly version: Version }[]): Promise<void>;
}
