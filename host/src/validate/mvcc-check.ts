// V2 of one transaction: its reads and range queries against committed state
// under the block's pending writes. The same code runs on the primary cNode
// and on cNode threads, so a check gives the same code wherever it runs.

import { checkMvcc, type RwSet, type TxValidationCodeName, type VersionedStateReader } from '@flexchain/sdk';
import type { BlockOverlay } from './block-overlay';

/** Committed state of one contract; with prefetch, a transaction's reads are fetched together (storage misses in one getMany). */
export type CommittedState = VersionedStateReader & { prefetch?(keys: readonly string[]): Promise<VersionedStateReader> };

export async function checkTransaction(state: CommittedState, overlay: BlockOverlay, rwset: Pick<RwSet, 'reads' | 'rangeQueries'>): Promise<TxValidationCodeName> {
  const committedReads = rwset.reads.map((r) => r.key).filter((key) => !overlay.has(key));
  const base = state.prefetch && committedReads.length > 1 ? await state.prefetch(committedReads) : state;
  return (await checkMvcc({ ...rwset, writes: [] }, overlay.view(base))).code;
}
