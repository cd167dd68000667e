// A peer's LevelDB (classic-level): one database, sublevels per kind of record,
// so a block, its validity codes, its tx ids and its state changes commit in
// one atomic batch. On-disk layout: docs/ledger-format.md.

import { ClassicLevel } from 'classic-level';
import type { AbstractSublevel } from 'abstract-level';

type Bytes = Uint8Array;
export type ByteSublevel = AbstractSublevel<ClassicLevel<Bytes, Bytes>, Bytes | string | Buffer, Bytes, Bytes>;

/** Sublevel names: part of the on-disk format, do not rename. */
const SUBLEVELS = { state: 's', tieredState: 'w', blocks: 'b', txIds: 't', packages: 'p', meta: 'm' } as const;

export class LedgerDb {
  readonly db: ClassicLevel<Bytes, Bytes>;
  /** World state of the "leveldb" (generic XOV) design. */
  readonly state: ByteSublevel;
  /** Storage tier of the disaggregated design: materialised and evicted records. */
  readonly tieredState: ByteSublevel;
  readonly blocks: ByteSublevel;
  readonly txIds: ByteSublevel;
  readonly packages: ByteSublevel;
  readonly meta: ByteSublevel;

  /** `cacheBytes` sizes LevelDB's block cache (its own default is 8 MiB). */
  constructor(
    readonly location: string,
    cacheBytes?: number,
  ) {
    // multithreading: cNode worker threads open the same database for their storage reads.
    this.db = new ClassicLevel<Bytes, Bytes>(location, { keyEncoding: 'view', valueEncoding: 'view', multithreading: true, ...(cacheBytes === undefined ? {} : { cacheSize: cacheBytes }) });
    const sub = (name: string) => this.db.sublevel<Bytes, Bytes>(name, { keyEncoding: 'view', valueEncoding: 'view' }) as unknown as ByteSublevel;
    this.state = sub(SUBLEVELS.state);
    this.tieredState = sub(SUBLEVELS.tieredState);
    this.blocks = sub(SUBLEVELS.blocks);
    this.txIds = sub(SUBLEVELS.txIds);
    this.packages = sub(SUBLEVELS.packages);
    this.meta = sub(SUBLEVELS.meta);
  }

  /** Writes operations on any sublevels as one atomic batch. */
  write(ops: readonly BatchOp[]): Promise<void> {
    // abstract-level types sublevel batches per key/value encoding; ours are all Uint8Array.
    return this.db.batch(ops as never);
  }

  open(): Promise<void> {
    return this.db.open();
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

export type BatchOp = { type: 'put'; sublevel: ByteSublevel; key: Bytes; value: Bytes } | { type: 'del'; sublevel: ByteSublevel; key: Bytes };
