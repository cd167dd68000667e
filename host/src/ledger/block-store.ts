// The peer's hash-chained block store: blocks with their validity codes, the
// tx-id index (for DUPLICATE_TXID) and the height, in the peer's LedgerDb.
//
// blocks: 8-byte big-endian block number -> 0x02, codes JSON length (u32 BE), codes JSON, block bytes
//         (format 1, still read: {"block": <block JSON>, "codes": [..]})
// txIds:  tx id (UTF-8)                 -> "<blockNum>:<txNum>:<code name>"
//         The transaction that owns the tx id (the first to pass V1; it may
//         still fail MVCC), or, while none has, the first that carried it. A
//         twin that fails V1 (a replayed proposal with forged endorsements, say)
//         never takes the entry from its owner, and never blocks one.
// meta:   "height"                      -> next block number (decimal)
//         "digest@" 8-byte block number -> state digest after that block (64 hex digits, state-digest.ts)

import { canonicalStringify, FlexChainError, utf8Decode, utf8Encode, type TxValidationCodeName } from '@flexchain/sdk';
import { BLOCK_FORMAT_BINARY, blockHash, dataHashOf, decodeBlock, encodeBlock, GENESIS_PREVIOUS_HASH, graphDefect, MessageMalformedError, type Block } from '@flexchain/sdk/protocol';
import type { BatchOp, LedgerDb } from '../storage/ledger-db';
import { EMPTY_STATE_DIGEST, formatDigest, parseDigest } from '../state/state-digest';

const HEIGHT_KEY = utf8Encode('height');
const DIGEST_AT_PREFIX = utf8Encode('digest@');

const digestAtKey = (blockNum: number): Uint8Array => {
  const key = new Uint8Array(DIGEST_AT_PREFIX.length + 8);
  key.set(DIGEST_AT_PREFIX);
  key.set(blockKey(blockNum), DIGEST_AT_PREFIX.length);
  return key;
};

export interface StoredBlock {
  readonly block: Block;
  readonly codes: readonly TxValidationCodeName[];
}

export function blockKey(blockNum: number): Uint8Array {
  const key = new Uint8Array(8);
  new DataView(key.buffer).setBigUint64(0, BigInt(blockNum));
  return key;
}

/** A stored block is missing, does not decode or does not chain: the ledger cannot be trusted. */
export class LedgerCorruptError extends FlexChainError {
  override name = 'LedgerCorruptError';
}

export interface TxStatus {
  readonly blockNum: number;
  readonly txNum: number;
  readonly code: TxValidationCodeName;
}

/** Codes of transactions that passed V1 and so own their tx id: a later one is DUPLICATE_TXID. */
const OWNING_CODES: ReadonlySet<TxValidationCodeName> = new Set(['VALID', 'MVCC_READ_CONFLICT', 'PHANTOM_READ_CONFLICT']);

/** Whether a committed transaction with this code owns its tx id. */
export const ownsTxId = (code: TxValidationCodeName): boolean => OWNING_CODES.has(code);

export class BlockStore {
  private cachedHeight = 0;
  private cachedDigest = EMPTY_STATE_DIGEST;
  /** Whether the ledger holds a state digest (ledgers from before digests do not). */
  digestRecorded = false;
  private statusLookups: { readonly txId: string; readonly resolve: (status: TxStatus | undefined) => void; readonly reject: (err: unknown) => void }[] = [];

  constructor(private readonly ledger: LedgerDb) {}

  async load(): Promise<void> {
    const stored = await this.ledger.meta.get(HEIGHT_KEY);
    this.cachedHeight = stored === undefined ? 0 : Number(utf8Decode(stored));
    // Read at the height, so a height lowered on disk is caught by the state check on open.
    // A ledger written before digests existed has none: it starts from the state scan on open.
    const digest = this.cachedHeight === 0 ? EMPTY_STATE_DIGEST : await this.digestAt(this.cachedHeight - 1);
    this.cachedDigest = digest ?? EMPTY_STATE_DIGEST;
    this.digestRecorded = digest !== undefined;
  }

  /** The state digest after the last committed block. */
  get stateDigest(): bigint {
    return this.cachedDigest;
  }

  /** A ledger from before digests starts from its state's scanned digest. */
  adoptDigest(digest: bigint): void {
    this.cachedDigest = digest;
  }

  /**
   * Checks every stored block up to the height: present, decodable, chained
   * onto the one before (previous hash), its data hash and graph as its header
   * says. Throws LedgerCorruptError naming the first block that is not;
   * resolves with the last block's hash (what the next block must chain onto).
   */
  async verifyChain(): Promise<string> {
    let previousHash = GENESIS_PREVIOUS_HASH;
    for (let blockNum = 0; blockNum < this.cachedHeight; blockNum++) {
      let stored: StoredBlock | undefined;
      try {
        stored = await this.get(blockNum);
      } catch (err) {
        throw this.corrupt(blockNum, `it does not decode (${err instanceof Error ? err.message : String(err)})`);
      }
      if (!stored) throw this.corrupt(blockNum, 'it is missing');
      const { header, envelopes, graph } = stored.block;
      if (header.number !== blockNum) throw this.corrupt(blockNum, `it says it is block ${header.number}`);
      if (header.previousHash !== previousHash) throw this.corrupt(blockNum, `it does not chain onto block ${blockNum - 1}`);
      if (header.dataHash !== dataHashOf(envelopes)) throw this.corrupt(blockNum, 'its transactions do not match its data hash');
      if (header.graphHash !== undefined && graphDefect(graph, envelopes.length, header.graphHash) !== undefined) throw this.corrupt(blockNum, 'its dependency graph does not match its header');
      if (stored.codes.length !== envelopes.length) throw this.corrupt(blockNum, `it has ${stored.codes.length} validity codes for ${envelopes.length} transactions`);
      previousHash = blockHash(header);
    }
    return previousHash;
  }

  private corrupt(blockNum: number, what: string): LedgerCorruptError {
    return new LedgerCorruptError(`Block ${blockNum} of ${this.ledger.location} is damaged: ${what}. Refusing to serve from this ledger.`, {
      hint: `Stop the node, move ${this.ledger.location} aside and start again: the peer rebuilds its ledger and state from the orderer's blocks.`,
    });
  }

  /** The state digest recorded after block `blockNum`, if any. */
  async digestAt(blockNum: number): Promise<bigint | undefined> {
    const stored = await this.ledger.meta.get(digestAtKey(blockNum));
    if (stored === undefined) return undefined;
    const digest = parseDigest(utf8Decode(stored));
    if (digest === undefined) throw this.corrupt(blockNum, 'the state digest recorded with it is not one');
    return digest;
  }

  /** Number of blocks committed (= number of the next block). */
  get height(): number {
    return this.cachedHeight;
  }

  /** Which of these tx ids the ledger records, each with whether its entry owns it (one LevelDB getMany). */
  async recordedTxIds(txIds: readonly (string | undefined)[]): Promise<Map<string, boolean>> {
    const ids = [...new Set(txIds.filter((id): id is string => id !== undefined))];
    const found = await this.ledger.txIds.getMany(ids.map((id) => utf8Encode(id)));
    const recorded = new Map<string, boolean>();
    ids.forEach((id, i) => {
      const stored = found[i];
      if (stored !== undefined) recorded.set(id, ownsTxId(parseStatus(stored).code));
    });
    return recorded;
  }

  /**
   * Where a tx id was committed, if it was. Lookups made in one turn of the
   * event loop go to LevelDB as one getMany: every submission asks, and one
   * point read each cost more than the rest of the gateway's work.
   */
  txStatus(txId: string): Promise<TxStatus | undefined> {
    return new Promise((resolve, reject) => {
      if (this.statusLookups.length === 0) setImmediate(() => void this.lookUpStatuses());
      this.statusLookups.push({ txId, resolve, reject });
    });
  }

  private async lookUpStatuses(): Promise<void> {
    const lookups = this.statusLookups;
    this.statusLookups = [];
    try {
      const found = await this.ledger.txIds.getMany(lookups.map((l) => utf8Encode(l.txId)));
      lookups.forEach((lookup, i) => {
        const stored = found[i];
        lookup.resolve(stored === undefined ? undefined : parseStatus(stored));
      });
    } catch (err) {
      for (const lookup of lookups) lookup.reject(err);
    }
  }

  async get(blockNum: number): Promise<StoredBlock | undefined> {
    const stored = await this.ledger.blocks.get(blockKey(blockNum));
    if (stored === undefined) return undefined;
    return decodeStoredBlock(stored, blockNum);
  }

  /** The block, its codes, its tx-id entries (from indexedTxIds), the state digest after it and the new height, for one atomic batch. */
  commitOps(block: Block, codes: readonly TxValidationCodeName[], indexed: ReadonlyMap<number, string>, digest: bigint): BatchOp[] {
    const blockNum = block.header.number;
    const record = encodeStoredBlock(block, codes);
    const ops: BatchOp[] = [{ type: 'put', sublevel: this.ledger.blocks, key: blockKey(blockNum), value: record }];
    for (const [txNum, txId] of indexed) ops.push({ type: 'put', sublevel: this.ledger.txIds, key: utf8Encode(txId), value: utf8Encode(`${blockNum}:${txNum}:${codes[txNum]}`) });
    ops.push({ type: 'put', sublevel: this.ledger.meta, key: digestAtKey(blockNum), value: utf8Encode(formatDigest(digest)) });
    ops.push({ type: 'put', sublevel: this.ledger.meta, key: HEIGHT_KEY, value: utf8Encode(String(blockNum + 1)) });
    return ops;
  }

  /** Call after the batch from commitOps was written. */
  advance(blockNum: number, digest: bigint): void {
    this.cachedHeight = blockNum + 1;
    this.cachedDigest = digest;
    this.digestRecorded = true;
  }
}

/**
 * The transactions of a block that get the tx-id entry, by number: each owner
 * (`owners[txNum]`: it passed V1 and is not a duplicate), and, for a tx id with
 * no owner in the block and no entry yet (`recorded`, from recordedTxIds), its first occurrence.
 */
export function indexedTxIds(txIds: readonly (string | undefined)[], owners: readonly boolean[], recorded: ReadonlyMap<string, boolean>): Map<number, string> {
  const owned = new Set<string>();
  txIds.forEach((txId, txNum) => {
    if (txId !== undefined && owners[txNum]) owned.add(txId);
  });
  const indexed = new Map<number, string>();
  const taken = new Set<string>();
  txIds.forEach((txId, txNum) => {
    if (txId === undefined || taken.has(txId)) return;
    if (owners[txNum] || (!owned.has(txId) && !recorded.has(txId))) {
      indexed.set(txNum, txId);
      taken.add(txId);
    }
  });
  return indexed;
}

function parseStatus(stored: Uint8Array): TxStatus {
  const [blockNum, txNum, code] = utf8Decode(stored).split(':');
  return { blockNum: Number(blockNum), txNum: Number(txNum), code: code as TxValidationCodeName };
}

const CODES_LENGTH_BYTES = 4;

function encodeStoredBlock(block: Block, codes: readonly TxValidationCodeName[]): Uint8Array {
  const codesJson = utf8Encode(canonicalStringify(codes));
  const blockBytes = encodeBlock(block);
  const record = new Uint8Array(1 + CODES_LENGTH_BYTES + codesJson.length + blockBytes.length);
  record[0] = BLOCK_FORMAT_BINARY;
  new DataView(record.buffer).setUint32(1, codesJson.length);
  record.set(codesJson, 1 + CODES_LENGTH_BYTES);
  record.set(blockBytes, 1 + CODES_LENGTH_BYTES + codesJson.length);
  return record;
}

function decodeStoredBlock(stored: Uint8Array, blockNum: number): StoredBlock {
  if (stored[0] !== BLOCK_FORMAT_BINARY) {
    const json = JSON.parse(utf8Decode(stored)) as { block: unknown; codes: TxValidationCodeName[] };
    return { block: decodeBlock(utf8Encode(JSON.stringify(json.block))), codes: json.codes };
  }
  const codesStart = 1 + CODES_LENGTH_BYTES;
  const codesEnd = stored.length < codesStart ? Infinity : codesStart + new DataView(stored.buffer, stored.byteOffset, stored.byteLength).getUint32(1);
  if (codesEnd > stored.length) throw new MessageMalformedError(`Stored block ${blockNum} is cut short.`, { hint: 'The ledger is damaged: restore the peer from a backup or rebuild it from the orderer.' });
  return { block: decodeBlock(stored.subarray(codesEnd)), codes: JSON.parse(utf8Decode(stored.subarray(codesStart, codesEnd))) as TxValidationCodeName[] };
}
