// V2 and V3 for one block, after V1: duplicate tx ids, MVCC and phantom checks,
// and the staging of valid writes into a per-contract block overlay.
//
//   sequential: one transaction after another, in block order.
//   parallel:   paper §5.2, Algorithm 1: the validation manager hands out the
//               transactions whose predecessors in the dependency graph are
//               done, to up to tasksMax concurrent tasks.
//
// Both give the same codes and writes: a transaction reads only keys whose
// earlier writers in the block are its predecessors, and those are done.
// V3 stages writes in the overlay; they reach world state once the whole block
// is durable, so eviction can never move a version of an uncommitted block to storage.

import { stateWriteOf, type TxValidationCodeName } from '@flexchain/sdk';
import type { DependencyGraph } from '@flexchain/sdk/protocol';
import type { CommittedWrite } from '../state/peer-world-state';
import { accessOf, dependencyGraphOf } from '../order/dependency-graph';
import { BlockOverlay } from './block-overlay';
import type { EndorsementVerdict } from './endorsement-validator';
import { checkTransaction, type CommittedState } from './mvcc-check';
import type { ValidationLanes } from './validation-lanes';
import { validateByGraph } from './validation-manager';

export type ValidationMode = 'sequential' | 'parallel';

export interface BlockValidationInput {
  readonly blockNum: number;
  readonly verdicts: readonly EndorsementVerdict[];
  /** Tx ids of V1-valid transactions already committed in earlier blocks. */
  readonly committedTxIds: ReadonlySet<string>;
  /** Committed state of a contract, as the validating cNode sees it. */
  readonly stateOf: (contract: string) => CommittedState;
  /** In parallel mode, V2 may also run on the peer's cNode threads. */
  readonly lanes?: ValidationLanes;
}

export interface BlockValidationResult {
  readonly codes: TxValidationCodeName[];
  /** Writes of the valid transactions, in block order. */
  readonly writes: CommittedWrite[];
}

export type ValidationPlan = { readonly mode: 'sequential' } | { readonly mode: 'parallel'; readonly graph: DependencyGraph; readonly tasksMax: number };

export async function validateBlock(input: BlockValidationInput, plan: ValidationPlan): Promise<BlockValidationResult> {
  const { blockNum, verdicts } = input;
  const lanes = plan.mode === 'parallel' ? input.lanes : undefined;
  const codes = firstPassCodes(verdicts, input.committedTxIds);
  const writesOf: CommittedWrite[][] = verdicts.map(() => []);
  const contracts = new Map<string, { state: ReturnType<BlockValidationInput['stateOf']>; overlay: BlockOverlay }>();
  const contractOf = (contract: string) => {
    let entry = contracts.get(contract);
    if (!entry) contracts.set(contract, (entry = { state: input.stateOf(contract), overlay: new BlockOverlay() }));
    return entry;
  };

  const validate = async (txNum: number) => {
    const verdict = verdicts[txNum]!;
    if (codes[txNum] !== 'VALID' || verdict.code !== 'VALID') return;
    const { proposal, response } = verdict.tx;
    const { contract } = proposal;
    const { reads, rangeQueries } = response.rwset;
    const { state, overlay } = contractOf(contract);
    const local = () => checkTransaction(state, overlay, response.rwset);
    const code = lanes ? await lanes.check(() => ({ contract, reads, rangeQueries, pending: overlay.entriesFor(response.rwset) }), local) : await local();
    codes[txNum] = code;
    if (code !== 'VALID') return;
    const version = { blockNum, txNum };
    overlay.apply(response.rwset, version);
    writesOf[txNum] = response.rwset.writes.map((w) => ({ contract: proposal.contract, write: stateWriteOf(w), version }));
  };

  if (plan.mode === 'parallel') await validateByGraph(plan.graph, plan.tasksMax, validate);
  else for (let txNum = 0; txNum < verdicts.length; txNum++) await validate(txNum);
  return { codes, writes: writesOf.flat() };
}

/** The graph of a block from its V1 verdicts: what a peer uses when the block brought none. */
export function dependencyGraphOfVerdicts(verdicts: readonly EndorsementVerdict[]): DependencyGraph {
  return dependencyGraphOf(verdicts.map((v) => (v.code === 'VALID' ? accessOf(v.tx.proposal.contract, v.tx.response.rwset) : undefined)));
}

/**
 * V1 codes plus DUPLICATE_TXID: the first V1-valid occurrence of a tx id in the
 * block keeps it (even if MVCC later rejects it), later ones and ids committed
 * before are duplicates. Independent of order of validation, so done up front.
 */
function firstPassCodes(verdicts: readonly EndorsementVerdict[], committed: ReadonlySet<string>): TxValidationCodeName[] {
  const seen = new Set<string>();
  return verdicts.map((verdict) => {
    if (verdict.code !== 'VALID') return verdict.code;
    const txId = verdict.tx.proposal.txId;
    const duplicate = seen.has(txId) || committed.has(txId);
    seen.add(txId);
    return duplicate ? 'DUPLICATE_TXID' : 'VALID';
  });
}
