// How every state format here stores a version: blockNum as two u32 words
// (high, low: block numbers go past 2^32 before they reach 2^53), then txNum
// as a u32, all big-endian. LevelDB state values, storage-node records and
// remote-memory records all embed it.

import type { Version } from '@flexchain/sdk';

export const VERSION_BYTES = 12;
const TWO_POW_32 = 2 ** 32;

export function writeVersion(view: DataView, at: number, version: Version): void {
  view.setUint32(at, Math.floor(version.blockNum / TWO_POW_32));
  view.setUint32(at + 4, version.blockNum >>> 0);
  view.setUint32(at + 8, version.txNum);
}

export function readVersion(view: DataView, at: number): Version {
  return { blockNum: view.getUint32(at) * TWO_POW_32 + view.getUint32(at + 4), txNum: view.getUint32(at + 8) };
}
