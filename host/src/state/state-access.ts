// What a simulation may ask of committed state, in the shape the sandbox uses:
// point reads and bounded pages of a range. Implemented over the world-state
// store of one contract namespace.

import type { VersionedEntry, VersionedValue } from '@flexchain/sdk';

export interface StateAccess {
  get(key: string): Promise<VersionedValue | undefined>;
  /** Up to `limit` committed entries in [startKey, endKey), UTF-8 byte order; endKey '' = unbounded. */
  rangePage(startKey: string, endKey: string, limit: number): Promise<VersionedEntry[]>;
}
