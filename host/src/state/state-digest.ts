// A digest of a peer's whole world state, kept incrementally block by block
// (issue 13; seed 004: in-memory hashes over on-disk payloads). It is the sum,
// modulo a 256-bit prime, of one leaf hash per live key:
//
//   leaf = SHA-256(contract 0x00 key 0x00 blockNum:u32 txNum:u32 value)  as a 256-bit integer
//
// A sum does not depend on the order in which keys were written or are
// scanned, so a block's writes update it in O(writes) (subtract the old leaf,
// add the new), and a scan of storage recomputes it from scratch. Two honest
// peers at the same height hold the same digest; a flipped byte, a lost write
// or a replayed block changes it. Not a commitment scheme for proofs (sums of
// hashes can be forged by a party that chooses many values); it detects
// damage and divergence, which is its job.

import { utf8Encode, type Version } from '@flexchain/sdk';
import { sha256HexOf } from '@flexchain/sdk/protocol';

/** 2^256 - 189, the largest prime below 2^256. */
const MODULUS = (1n << 256n) - 189n;
const SEPARATOR = new Uint8Array([0]);
const VERSION_BYTES = 8;
const HEX_DIGITS = 64;

/** The digest of an empty world state. */
export const EMPTY_STATE_DIGEST = 0n;

export interface DigestLeaf {
  readonly contract: string;
  readonly key: string;
  readonly version: Version;
  readonly value: Uint8Array;
}

export function leafHash({ contract, key, version, value }: DigestLeaf): bigint {
  const versionBytes = new Uint8Array(VERSION_BYTES);
  const view = new DataView(versionBytes.buffer);
  view.setUint32(0, version.blockNum);
  view.setUint32(4, version.txNum);
  return BigInt(`0x${sha256HexOf([utf8Encode(contract), SEPARATOR, utf8Encode(key), SEPARATOR, versionBytes, value])}`);
}

/** The digest with `removed` leaves taken out and `added` ones put in. */
export function updateDigest(digest: bigint, removed: readonly DigestLeaf[], added: readonly DigestLeaf[]): bigint {
  let d = digest;
  for (const leaf of removed) d -= leafHash(leaf);
  for (const leaf of added) d += leafHash(leaf);
  return ((d % MODULUS) + MODULUS) % MODULUS;
}

export function formatDigest(digest: bigint): string {
  return digest.toString(16).padStart(HEX_DIGITS, '0');
}

/** The digest a hex string holds, or undefined if it holds none. */
export function parseDigest(hex: string): bigint | undefined {
  return /^[0-9a-f]{64}$/.test(hex) ? BigInt(`0x${hex}`) : undefined;
}

/** A block's writes, as the digest needs them. */
interface DigestedWrite {
  readonly contract: string;
  readonly write: { readonly key: string; readonly value?: Uint8Array };
  readonly version: Version;
}

/**
 * The digest after a block: for each key it writes, the committed leaf (read
 * through `committed`, before the block applies) goes out and its last write's
 * leaf comes in (none for a delete).
 */
export async function digestAfterBlock(digest: bigint, writes: readonly DigestedWrite[], committed: (contract: string, key: string) => Promise<{ readonly value: Uint8Array; readonly version: Version } | undefined>): Promise<bigint> {
  const last = new Map<string, DigestedWrite>();
  for (const w of writes) last.set(`${w.contract}\u0000${w.write.key}`, w);
  const writesByKey = [...last.values()];
  const before = await Promise.all(writesByKey.map((w) => committed(w.contract, w.write.key)));
  const removed: DigestLeaf[] = [];
  const added: DigestLeaf[] = [];
  writesByKey.forEach((w, i) => {
    const old = before[i];
    if (old) removed.push({ contract: w.contract, key: w.write.key, version: old.version, value: old.value });
    if (w.write.value !== undefined) added.push({ contract: w.contract, key: w.write.key, version: w.version, value: w.write.value });
  });
  return updateDigest(digest, removed, added);
}

/** The digest of whole namespaces, scanned (after recovery, to check the recorded one). */
export async function digestOfState(namespaces: Iterable<readonly [string, AsyncIterable<{ readonly key: string; readonly value: Uint8Array; readonly version: Version }>]>): Promise<bigint> {
  let digest = EMPTY_STATE_DIGEST;
  const batch: DigestLeaf[] = [];
  for (const [contract, entries] of namespaces) {
    for await (const { key, value, version } of entries) {
      batch.push({ contract, key, version, value });
      if (batch.length >= SCAN_BATCH_LEAVES) digest = updateDigest(digest, [], batch.splice(0));
    }
  }
  return updateDigest(digest, [], batch);
}

/** Leaves summed before each modular reduction during a scan. */
const SCAN_BATCH_LEAVES = 1024;
