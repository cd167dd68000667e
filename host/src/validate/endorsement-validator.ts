// V1 of validation: is this a well-formed transaction, signed by a known
// creator, endorsed by known peers whose signatures cover the one response, in
// a way that satisfies the contract's endorsement policy? Transactions are
// independent here. Endorsement signatures this peer made itself, or verified
// before, are found in its VerifiedSignatures instead of verified again.

import { FlexChainError, isValidContractName, type TxValidationCodeName } from '@flexchain/sdk';
import {
  decodeProposal,
  decodeResponse,
  decodeTransaction,
  merkleRootOf,
  rootSigningMessage,
  sha256Hex,
  txIdOf,
  verifySignature,
  type Proposal,
  type ProposalResponse,
  type Signed,
  type TransactionContent,
} from '@flexchain/sdk/protocol';
import type { Membership } from '../identity/msp';
import type { VerifiedSignatures } from '../identity/verified-signatures';
import { LIFECYCLE_CONTRACT, lifecycleWriteDefect } from '../peer/lifecycle';
import type { BlockSignatures } from './block-signatures';
import { policySatisfied, type Policy } from './policy';
import { assertResponseWithinRules, type ResponseLimits } from './response-rules';

export interface EndorsedTx {
  readonly proposal: Proposal;
  readonly response: ProposalResponse;
}

export type EndorsementVerdict =
  | { readonly code: 'VALID'; readonly tx: EndorsedTx }
  | { readonly code: Exclude<TxValidationCodeName, 'VALID'>; readonly txId?: string; readonly reason: string };

/** What V1 needs to know about a contract at this height. */
export interface ContractRules {
  readonly packageId: string;
  readonly policy: Policy;
  /** Only creators with this role may call it (the lifecycle contract requires admin). */
  readonly creatorRole?: string;
}

export interface EndorsementContext {
  readonly membership: Membership;
  readonly channelId: string;
  /** The host's own limits: a response is checked against them whoever endorsed it. */
  readonly limits: ResponseLimits & { readonly proposalBytesMax: number };
  /** Endorsement signatures this peer made or verified before; the rest are verified and remembered. */
  readonly endorsementSignatures: Pick<VerifiedSignatures, 'verify'>;
  /** Signatures of this block verified ahead of V1 (block-signatures.ts); the rest are verified here. */
  readonly preverified?: BlockSignatures;
  /** The rules for this proposal's contract (a lifecycle approval is endorsed by its creator's own organisation). */
  rulesFor(proposal: Proposal): ContractRules | undefined;
}

export function checkEndorsements(envelope: Signed, context: EndorsementContext): EndorsementVerdict {
  let content: TransactionContent;
  let proposal: Proposal;
  let response: ProposalResponse;
  try {
    content = decodeTransaction(envelope.payload);
    if (content.proposal.length > context.limits.proposalBytesMax) return { code: 'BAD_PAYLOAD', reason: `the proposal is ${content.proposal.length} bytes, over proposalBytesMax (${context.limits.proposalBytesMax})` };
    proposal = decodeProposal(content.proposal);
    response = decodeResponse(content.response);
    if (response.proposalHash !== sha256Hex(content.proposal)) return { code: 'INVALID_ENDORSER_TRANSACTION', txId: proposal.txId, reason: 'the response is for another proposal' };
  } catch (err) {
    return { code: 'BAD_PAYLOAD', reason: (err as Error).message };
  }
  const txId = proposal.txId;
  if (proposal.contract !== LIFECYCLE_CONTRACT && !isValidContractName(proposal.contract)) return { code: 'INVALID_CHAINCODE', txId, reason: 'the contract name is not a valid name' };
  if (proposal.channelId !== context.channelId) return { code: 'BAD_PAYLOAD', txId, reason: `channel ${proposal.channelId} is not ${context.channelId}` };
  if (txIdOf(proposal.nonce, proposal.creator) !== txId) return { code: 'BAD_PROPOSAL_TXID', txId, reason: 'the tx id is not derived from nonce and creator' };
  const creator = context.membership.get(proposal.creator.mspId, proposal.creator.id);
  if (!creator) return { code: 'BAD_CREATOR_SIGNATURE', txId, reason: `unknown creator ${proposal.creator.mspId}/${proposal.creator.id}` };
  if (!context.preverified?.creatorVerified(envelope, creator.publicKey) && !verifySignature(creator.publicKey, envelope.payload, envelope.signature)) return { code: 'BAD_CREATOR_SIGNATURE', txId, reason: 'the creator signature does not verify' };
  if (response.txId !== txId || response.contract !== proposal.contract) return { code: 'INVALID_ENDORSER_TRANSACTION', txId, reason: 'the response does not match the proposal' };

  try {
    assertResponseWithinRules(response, context.limits, `transaction ${txId.slice(0, 12)}`, content.response.length);
  } catch (err) {
    if (!(err instanceof FlexChainError)) throw err;
    return { code: 'BAD_RWSET', txId, reason: err.shortMessage };
  }

  const rules = context.rulesFor(proposal);
  if (!rules) return { code: 'INVALID_CHAINCODE', txId, reason: `contract ${proposal.contract} is not deployed` };
  if (rules.packageId !== response.packageId) return { code: 'INVALID_CHAINCODE', txId, reason: `endorsed with package ${response.packageId.slice(0, 12)}, but ${rules.packageId.slice(0, 12)} is active` };
  if (rules.creatorRole && creator.role !== rules.creatorRole) return { code: 'ENDORSEMENT_POLICY_FAILURE', txId, reason: `${proposal.contract} may only be called by ${rules.creatorRole}s` };
  if (proposal.contract === LIFECYCLE_CONTRACT) {
    const defect = lifecycleWriteDefect(proposal.fn, proposal.args, creator.mspId, response.rwset);
    if (defect) return { code: 'ILLEGAL_WRITESET', txId, reason: defect };
  }

  const checks = content.endorsements.map((e) => {
    const endorser = context.membership.get(e.endorser.mspId, e.endorser.id);
    if (endorser?.role !== 'peer') return undefined;
    if (context.preverified?.endorsementVerified(e, endorser.publicKey, content.response)) return endorser;
    // A batch endorsement signs the root its proof leads to from this response; a plain one signs the response.
    const root = e.batch ? merkleRootOf(content.response, e.batch) : undefined;
    if (e.batch && !root) return undefined;
    const signed = root ? rootSigningMessage(root) : content.response;
    return context.endorsementSignatures.verify(endorser.publicKey, signed, e.signature) ? endorser : undefined;
  });
  const signers = [...new Map(checks.filter((e) => e !== undefined).map((e) => [`${e.mspId}/${e.id}`, e])).values()];
  if (!policySatisfied(rules.policy, signers)) {
    return { code: 'ENDORSEMENT_POLICY_FAILURE', txId, reason: `valid endorsements from ${signers.map((s) => s.mspId).join(', ') || 'nobody'} do not satisfy the policy` };
  }
  return { code: 'VALID', tx: { proposal, response } };
}
