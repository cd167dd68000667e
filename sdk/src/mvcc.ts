// V2 of validation: multi-version concurrency control over one transaction's rw-set.
//
// A transaction is valid only if every version it read is still the committed
// version (else MVCC_READ_CONFLICT) and every range it scanned still holds exactly
// the same keys at the same versions (else PHANTOM_READ_CONFLICT). Sequential
// validation calls this once per transaction, after applying the writes of the
// valid transactions before it in the block (parallel validation: of those it
// depends on). Pure apart from reading `state`. Point reads are issued together,
// so a remote store serves them in one round trip's time.

import { compareUtf8 } from './bytes';
import type { RangeQueryInfo, RwSet } from './rwset';
import { versionsEqual } from './rwset';
import type { TxValidationCodeName } from './validation-code';
import type { VersionedStateReader } from './world-state';

export type MvccOutcome = Extract<TxValidationCodeName, 'VALID' | 'MVCC_READ_CONFLICT' | 'PHANTOM_READ_CONFLICT'>;

export interface MvccVerdict {
  readonly code: MvccOutcome;
  /** The key whose version changed, or the range that changed. */
  readonly conflict?: string;
}

export async function checkMvcc(rwset: RwSet, state: VersionedStateReader): Promise<MvccVerdict> {
  const current = await Promise.all(rwset.reads.map((read) => state.get(read.key)));
  for (const [i, read] of rwset.reads.entries()) {
    if (!versionsEqual(current[i]?.version, read.version)) return { code: 'MVCC_READ_CONFLICT', conflict: read.key };
  }
  for (const query of rwset.rangeQueries) {
    if (!(await rangeUnchanged(query, state))) {
      return { code: 'PHANTOM_READ_CONFLICT', conflict: `[${JSON.stringify(query.startKey)}, ${JSON.stringify(query.endKey)})` };
    }
  }
  return { code: 'VALID' };
}

async function rangeUnchanged(query: RangeQueryInfo, state: VersionedStateReader): Promise<boolean> {
  let i = 0;
  for await (const entry of state.range(query.startKey, query.endKey)) {
    const seen = query.reads[i++];
    if (seen === undefined || compareUtf8(seen.key, entry.key) !== 0 || !versionsEqual(seen.version, entry.version)) return false;
  }
  return i === query.reads.length;
}
