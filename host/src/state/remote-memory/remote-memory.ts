// The seam between a cNode and the remote memory pool (mNode): the operations
// of the paper's read and write procedures. One-sided operations (read, write)
// touch only the data plane; two-sided ones (allocate, lookup, link, keys) go to
// the control plane. Implementations: in-process (this package) and, later,
// TCP and RDMA. The tiered store does not know which one it runs on.

export type LinkOutcome =
  /** Linked; `previous` is the address of the version it supersedes, if any. */
  | { readonly linked: true; readonly previous: number | undefined }
  /** The key is being evicted; retry after a backoff. */
  | { readonly linked: false; readonly reason: 'locked' }
  /** Only-if-absent link refused: the key already has a version in memory. */
  | { readonly linked: false; readonly reason: 'present' };

export interface RemoteMemory {
  /** One-sided read of the record at `address`. */
  read(address: number): Promise<Uint8Array>;
  /** One-sided write of a record into a buffer from allocate(). */
  write(address: number, record: Uint8Array): Promise<void>;
  /** A free buffer of at least `bytes`, or undefined when the budget is used up. */
  allocate(bytes: number): Promise<number | undefined>;
  /** Returns a buffer that was allocated but never linked (e.g. a lost race). */
  release(address: number, bytes: number): Promise<void>;
  /** Address of the latest version of `key`, if it is in memory. */
  lookup(key: string): Promise<number | undefined>;
  /** Bookkeeping: makes the record at `address` the latest version of `key`. */
  link(key: string, address: number, options?: { onlyIfAbsent?: boolean }): Promise<LinkOutcome>;
  /** Keys in memory in [startKey, endKey), in UTF-8 order, at most `limit`. */
  keys(startKey: string, endKey: string, limit: number): Promise<string[]>;
}
