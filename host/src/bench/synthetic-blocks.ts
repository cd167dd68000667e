// Blocks of endorsed transactions made up without execution or signatures:
// the validation benchmark's pre-made blocks and the property test that holds
// parallel validation to sequential. It keeps a model of committed versions
// (fed with each block's committed writes) so reads carry realistic versions:
// most current, some stale; ranges record what the model holds in them.

import { compareUtf8, utf8Encode, type KVRead, type KVWrite, type RangeQueryInfo, type RwSet, type Version } from '@flexchain/sdk';
import type { CommittedWrite } from '../state/peer-world-state';
import type { EndorsementVerdict } from '../validate/endorsement-validator';
import { mulberry32, zipfSampler } from './random';

export interface SyntheticBlockOptions {
  readonly contract: string;
  /** Size of the key space. */
  readonly keys: number;
  readonly txsPerBlock: number;
  /** Zipf exponent of key choice; 0 is uniform. */
  readonly zipf: number;
  /** Point reads per transaction, 0..readsMax. */
  readonly readsMax: number;
  /** Writes per transaction, 0..writesMax. */
  readonly writesMax: number;
  /** Share of writes that delete. */
  readonly deleteShare: number;
  /** Share of transactions with one range query. */
  readonly rangeShare: number;
  /** Widest range query, in keys of the key space. */
  readonly rangeKeysMax: number;
  /** Share of point reads carrying an outdated version. */
  readonly staleShare: number;
  /** Share of transactions already invalid at V1. */
  readonly v1InvalidShare: number;
  /** Share of transactions reusing an earlier tx id. */
  readonly duplicateShare: number;
  readonly valueBytes: number;
}

export interface SyntheticBlock {
  readonly verdicts: EndorsementVerdict[];
  /** What each transaction touches, including those invalid at V1 (as the orderer sees them). */
  readonly rwsets: RwSet[];
}

export class SyntheticBlocks {
  /** Committed version of each key present. */
  private readonly committed = new Map<string, Version>();
  private readonly random: () => number;
  private pick: () => number;
  private readonly txIds: string[] = [];
  /** The first `usedCount` of txIds, as a set; caught up only when read, so a set handed out before next() stays as it was. */
  private readonly used = new Set<string>();
  private usedCount = 0;
  private txCounter = 0;

  constructor(
    private options: SyntheticBlockOptions,
    seed: number,
  ) {
    this.random = mulberry32(seed);
    this.pick = zipfSampler(options.keys, options.zipf, this.random);
  }

  /** Changes the shape of later blocks (e.g. a new skew) without losing the model. */
  reshape(changes: Partial<SyntheticBlockOptions>): void {
    this.options = { ...this.options, ...changes };
    this.pick = zipfSampler(this.options.keys, this.options.zipf, this.random);
  }

  /** Every tx id used so far: the ledger's tx-id index, for duplicate detection. Take it before next(): the block it makes is not in it. */
  get usedTxIds(): ReadonlySet<string> {
    for (; this.usedCount < this.txIds.length; this.usedCount++) this.used.add(this.txIds[this.usedCount]!);
    return this.used;
  }

  keyName(i: number): string {
    return `key${String(i).padStart(8, '0')}`;
  }

  /** Writes creating every key, to commit as block `blockNum` before the generated ones. */
  preload(blockNum: number): CommittedWrite[] {
    return Array.from({ length: this.options.keys }, (_, i) => ({ contract: this.options.contract, write: { key: this.keyName(i), value: this.value(blockNum, i) }, version: { blockNum, txNum: 0 } }));
  }

  next(blockNum: number): SyntheticBlock {
    const o = this.options;
    const blockTxIds: string[] = [];
    const verdicts: EndorsementVerdict[] = [];
    const rwsets: RwSet[] = [];
    for (let txNum = 0; txNum < o.txsPerBlock; txNum++) {
      // A duplicate reuses any id before it: of earlier blocks, or earlier in this one.
      const earlier = this.txIds.length + blockTxIds.length;
      const reuse = earlier > 0 && this.random() < o.duplicateShare ? Math.floor(this.random() * earlier) : undefined;
      const txId = reuse === undefined ? `tx${this.txCounter++}` : reuse < this.txIds.length ? this.txIds[reuse]! : blockTxIds[reuse - this.txIds.length]!;
      blockTxIds.push(txId);
      const rwset = this.rwset(blockNum, txNum);
      rwsets.push(rwset);
      verdicts.push(this.random() < o.v1InvalidShare ? { code: 'ENDORSEMENT_POLICY_FAILURE', txId, reason: 'synthetic' } : { code: 'VALID', tx: this.endorsed(txId, rwset) });
    }
    this.txIds.push(...blockTxIds);
    return { verdicts, rwsets };
  }

  /** Feeds the model with a block's committed writes. */
  commit(writes: readonly CommittedWrite[]): void {
    for (const { write, version } of writes) {
      if ('delete' in write) this.committed.delete(write.key);
      else this.committed.set(write.key, version);
    }
  }

  /** The model's committed keys and versions, in key order. */
  snapshot(): [string, Version][] {
    return [...this.committed].sort(([a], [b]) => compareUtf8(a, b));
  }

  private rwset(blockNum: number, txNum: number): RwSet {
    const o = this.options;
    const count = (max: number) => Math.floor(this.random() * (max + 1));
    const readKeys = new Set(Array.from({ length: count(o.readsMax) }, () => this.keyName(this.pick())));
    const writeKeys = new Set(Array.from({ length: count(o.writesMax) }, () => this.keyName(this.pick())));
    const reads: KVRead[] = [...readKeys].sort(compareUtf8).map((key) => {
      const version = this.committed.get(key);
      if (this.random() >= o.staleShare) return version ? { key, version } : { key };
      return version ? { key, version: { blockNum: version.blockNum, txNum: version.txNum + 1 } } : { key, version: { blockNum: 0, txNum: 0 } };
    });
    const writes: KVWrite[] = [...writeKeys].sort(compareUtf8).map((key, i) =>
      this.random() < o.deleteShare ? { key, isDelete: true, value: new Uint8Array() } : { key, isDelete: false, value: this.value(blockNum, txNum * 1000 + i) },
    );
    const rangeQueries: RangeQueryInfo[] = [];
    if (this.random() < o.rangeShare) {
      const start = this.pick();
      const end = start + 1 + Math.floor(this.random() * o.rangeKeysMax);
      const seen: KVRead[] = [];
      // Key names are zero-padded, so index order is key order.
      for (let i = start; i < end; i++) {
        const version = this.committed.get(this.keyName(i));
        if (version) seen.push({ key: this.keyName(i), version });
      }
      rangeQueries.push({ startKey: this.keyName(start), endKey: this.keyName(end), reads: seen });
    }
    return { reads, rangeQueries, writes };
  }

  private endorsed(txId: string, rwset: RwSet) {
    const contract = this.options.contract;
    const creator = { mspId: 'Org1MSP', id: 'client' };
    return {
      proposal: { channelId: 'synthetic', contract, fn: 'synthetic', args: [], creator, nonce: txId, timestamp: { seconds: 0, nanos: 0 }, txId },
      response: { txId, proposalHash: '', contract, packageId: 'synthetic', payload: new Uint8Array(), rwset, events: [] },
    };
  }

  private value(blockNum: number, salt: number): Uint8Array {
    const text = `${blockNum}:${salt}:`;
    return utf8Encode(text.padEnd(Math.max(text.length, this.options.valueBytes), 'v'));
  }
}
