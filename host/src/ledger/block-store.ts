// The peer's hash-chained block store: blocks with their validity codes, the
// tx-id index (for DUPLICATE_TXID) and the height, in the peer's LedgerDb.
//
// blocks: 8-byte big-endian block number -> 0x02, codes JSON length (u32 BE), codes JSON, block bytes
//         (format 1, still read: {"block": <block JSON>, "codes": [..]})
// txIds:  tx id (UTF-8)                 -> "<blockNum>:<txNum>:<code name>"
// meta:   "height"                      -> next block number (decimal)

import { canonicalStringify, utf8Decode, utf8Encode, type TxValidationCodeName } from '@flexchain/sdk';
import { BLOCK_FORMAT_BINARY, decodeBlock, encodeBlock, MessageMalformedError, type Block } from '@flexchain/sdk/protocol';
import type { BatchOp, LedgerDb } from '../storage/ledger-db';

const HEIGHT_KEY = utf8Encode('height');

export interface StoredBlock {
  readonly block: Block;
  readonly codes: readonly TxValidationCodeName[];
}

export function blockKey(blockNum: number): Uint8Array {
  const key = new Uint8Array(8);
  new DataView(key.buffer).setBigUint64(0, BigInt(blockNum));
  return key;
}

export interface TxStatus {
  readonly blockNum: number;
  readonly txNum: number;
  readonly code: TxValidationCodeName;
}

export class BlockStore {
  private cachedHeight = 0;
  private statusLookups: { readonly txId: string; readonly resolve: (status: TxStatus | undefined) => void; readonly reject: (err: unknown) => void }[] = [];

  constructor(private readonly ledger: LedgerDb) {}

  async load(): Promise<void> {
    const stored = await this.ledger.meta.get(HEIGHT_KEY);
    this.cachedHeight = stored === undefined ? 0 : Number(utf8Decode(stored));
  }

  /** Number of blocks committed (= number of the next block). */
  get height(): number {
    return this.cachedHeight;
  }

  /** Which of these tx ids are already on the ledger (one LevelDB getMany). */
  async knownTxIds(txIds: readonly (string | undefined)[]): Promise<Set<string>> {
    const ids = txIds.filter((id): id is string => id !== undefined);
    const found = await this.ledger.txIds.getMany(ids.map((id) => utf8Encode(id)));
    return new Set(ids.filter((_, i) => found[i] !== undefined));
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
        if (stored === undefined) return lookup.resolve(undefined);
        const [blockNum, txNum, code] = utf8Decode(stored).split(':');
        lookup.resolve({ blockNum: Number(blockNum), txNum: Number(txNum), code: code as TxValidationCodeName });
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

  /** Operations that record a validated block; committed atomically with its state changes. */
  commitOps(block: Block, codes: readonly TxValidationCodeName[], txIds: readonly (string | undefined)[]): BatchOp[] {
    const blockNum = block.header.number;
    const record = encodeStoredBlock(block, codes);
    const ops: BatchOp[] = [{ type: 'put', sublevel: this.ledger.blocks, key: blockKey(blockNum), value: record }];
    txIds.forEach((txId, txNum) => {
      // The first occurrence of a tx id owns it; a later duplicate must not overwrite its status.
      if (txId !== undefined && codes[txNum] !== 'DUPLICATE_TXID') ops.push({ type: 'put', sublevel: this.ledger.txIds, key: utf8Encode(txId), value: utf8Encode(`${blockNum}:${txNum}:${codes[txNum]}`) });
    });
    ops.push({ type: 'put', sublevel: this.ledger.meta, key: HEIGHT_KEY, value: utf8Encode(String(blockNum + 1)) });
    return ops;
  }

  /** Call after the batch from commitOps was written. */
  advance(blockNum: number): void {
    this.cachedHeight = blockNum + 1;
  }
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
