// A compute node of a logical peer: simulates proposals in its sandboxes and
// signs endorsements as the peer. It holds no state of its own besides its
// isolates; all reads go to the peer's world state.

import { EndorsementBatcher } from './endorsement-batcher';
import type { VerifiedSignatures } from '../identity/verified-signatures';
import { FlexChainError, type LogLevel, type VersionedStateReader } from '@flexchain/sdk';
import { decodeProposal, encodeResponse, sha256Hex, Signer, verifySignature, type MerkleProof, type Proposal, type ProposalResponse, type Signed } from '@flexchain/sdk/protocol';
import type { HostConfig } from '../config';
import { identityInfo, type Membership, type SigningIdentity } from '../identity/msp';
import { ContractExecutor, type ContractLogSink } from '../sandbox/contract-executor';
import { SandboxProcess, type ContractRunner } from '../sandbox/sandbox-process';
import type { ContractPackage } from '../sandbox/contract-package';
import type { CommittedWrite } from '../state/peer-world-state';
import type { StateAccess } from '../state/state-access';
import { LIFECYCLE_CONTRACT, LIFECYCLE_PACKAGE_ID, simulateActivate, simulateApprove, type ActiveContract } from './lifecycle';

export class ProposalRejectedError extends FlexChainError {
  override name = 'ProposalRejectedError';
}

export class ContractNotDeployedError extends FlexChainError {
  override name = 'ContractNotDeployedError';
}

/** Refuses a proposal over proposalBytesMax before anything parses it. */
export function assertProposalSize(signed: Signed, config: Pick<HostConfig, 'proposalBytesMax'>): void {
  if (signed.payload.length > config.proposalBytesMax) {
    throw new ProposalRejectedError(`The proposal is ${signed.payload.length} bytes, over proposalBytesMax (${config.proposalBytesMax} bytes).`, { hint: 'Pass less data per call: store large data off-chain and pass its hash.' });
  }
}

/**
 * A proposal's timestamp is what contracts see as Date.now(): it must be within
 * proposalClockSkewMs of this node's clock, so a client cannot commit a
 * transaction dated 1900 or 2300.
 */
export function assertProposalTimely(proposal: Proposal, config: Pick<HostConfig, 'proposalClockSkewMs'>, nowMs: number): void {
  const atMs = proposal.timestamp.seconds * 1000 + Math.floor(proposal.timestamp.nanos / 1e6);
  const offMs = atMs - nowMs;
  if (Math.abs(offMs) > config.proposalClockSkewMs) {
    const when = Number.isFinite(new Date(atMs).getTime()) ? new Date(atMs).toISOString() : `${proposal.timestamp.seconds} s`;
    throw new ProposalRejectedError(`Transaction ${proposal.txId.slice(0, 12)} is dated ${when}, ${Math.round(Math.abs(offMs) / 1000)} s ${offMs < 0 ? 'behind' : 'ahead of'} this node's clock; the limit is proposalClockSkewMs (${config.proposalClockSkewMs} ms).`, {
      hint: "Create the proposal just before sending it, and keep the client's clock in sync (NTP).",
    });
  }
}

/** What a cNode needs from its logical peer. */
export interface PeerServices {
  readonly mspId: string;
  readonly channelId: string;
  readonly membership: Membership;
  /** Where this cNode records the response signatures it makes, so V1 on this peer need not verify them. */
  readonly signatures: VerifiedSignatures;
  /** Set once the peer stopped committing: its state is no longer current, so nothing is simulated. */
  readonly halted: Error | undefined;
  active(contract: string): ActiveContract | undefined;
  packageOf(packageId: string): ContractPackage | undefined;
  state(contract: string, cnodeIndex: number): VersionedStateReader & StateAccess;
}

export interface Endorsed {
  readonly endorser: { readonly mspId: string; readonly id: string };
  readonly proposal: Proposal;
  readonly response: ProposalResponse;
  readonly responseBytes: Uint8Array;
  /** Over the root of the batch this response was endorsed in. */
  readonly signature: Uint8Array;
  readonly batch: MerkleProof;
}

export class CNode {
  private readonly executors = new Map<string, ContractRunner>();
  /** Where this cNode's isolates run when config.sandboxProcesses is set. */
  private readonly sandbox: SandboxProcess | undefined;
  private readonly sink: ContractLogSink;
  private readonly endorsements: EndorsementBatcher;
  inFlight = 0;
  simulated = 0;

  constructor(
    readonly name: string,
    /** Position among its peer's cNodes; 0 is the primary, which also validates. */
    readonly index: number,
    private readonly peer: PeerServices,
    readonly identity: SigningIdentity,
    private readonly config: HostConfig,
    private readonly log: (level: LogLevel, message: string) => void,
  ) {
    this.endorsements = new EndorsementBatcher(new Signer(identity.privateKey), identity.publicKey, peer.signatures, config.endorsementBatchMax);
    this.sink = (level, message, tag) => this.log(level, `[${tag.contract}.${tag.fn} ${tag.txId.slice(0, 8)}] ${message}`);
    this.sandbox = config.sandboxProcesses ? new SandboxProcess(name, config, this.sink, log) : undefined;
  }

  /** Simulates and signs the response. */
  async endorse(signed: Signed, creatorAuthenticated = false): Promise<Endorsed> {
    const { proposal, response } = await this.simulate(signed, creatorAuthenticated);
    const responseBytes = encodeResponse(response);
    const endorser = { mspId: this.identity.mspId, id: this.identity.id };
    const { signature, batch } = await this.endorsements.endorse(responseBytes);
    return { endorser, proposal, response, responseBytes, signature, batch };
  }

  /**
   * Simulates without signing (queries). `creatorAuthenticated`: the gateway
   * checked the creator by its session, so the proposal needs no signature.
   */
  async simulate(signed: Signed, creatorAuthenticated = false): Promise<{ proposal: Proposal; response: ProposalResponse }> {
    if (this.peer.halted) throw this.peer.halted;
    this.inFlight++;
    try {
      const proposal = this.authenticate(signed, creatorAuthenticated);
      const base = { txId: proposal.txId, proposalHash: sha256Hex(signed.payload), contract: proposal.contract };
      if (proposal.contract === LIFECYCLE_CONTRACT) {
        if (proposal.fn !== 'approve' && proposal.fn !== 'activate') throw new ProposalRejectedError(`${LIFECYCLE_CONTRACT} has no transaction "${proposal.fn}".`, { hint: 'Use approve, then activate.' });
        if (this.peer.membership.get(proposal.creator.mspId, proposal.creator.id)?.role !== 'admin') {
          throw new ProposalRejectedError(`Only organisation admins may ${proposal.fn} contracts; ${proposal.creator.mspId}/${proposal.creator.id} is not one.`, { hint: 'Deploy as an admin, e.g. --as Org1MSP/admin.' });
        }
        const state = this.peer.state(LIFECYCLE_CONTRACT, this.index);
        const installedName = (id: string) => this.peer.packageOf(id)?.name;
        const { rwset, payload } =
          proposal.fn === 'approve'
            ? await simulateApprove(proposal.args, state, installedName, proposal.creator.mspId)
            : await simulateActivate(proposal.args, state, installedName, this.peer.membership.organisations);
        return { proposal, response: { ...base, packageId: LIFECYCLE_PACKAGE_ID, payload, rwset, events: [] } };
      }
      const active = this.peer.active(proposal.contract);
      if (!active) {
        throw new ContractNotDeployedError(`Contract "${proposal.contract}" is not deployed on ${this.peer.mspId}.`, { hint: `Deploy it with \`flexchain deploy\`.` });
      }
      const creator = this.peer.membership.get(proposal.creator.mspId, proposal.creator.id)!;
      const result = await this.executor(active).simulate(proposal, identityInfo(creator), this.peer.state(proposal.contract, this.index));
      this.simulated++;
      return { proposal, response: { ...base, packageId: active.definition.packageId, payload: result.payload, rwset: result.rwset, events: result.events } };
    } finally {
      this.inFlight--;
    }
  }

  /**
   * A block committed these writes, now visible to this cNode's reads: its
   * sandbox process forgets what it cached of them. Called before anyone
   * learns that the block committed.
   */
  committed(writes: readonly CommittedWrite[]): void {
    this.sandbox?.committed(writes);
  }

  /** Drops sandboxes of packages no longer active (after an upgrade). */
  retire(packageId: string): void {
    this.executors.get(packageId)?.dispose();
    this.executors.delete(packageId);
  }

  get endorsementStats(): { endorsed: number; endorsementRoots: number } {
    return { endorsed: this.endorsements.endorsed, endorsementRoots: this.endorsements.roots };
  }

  /** Point reads its sandbox process's read cache answered, and those that came here. */
  get sandboxReads(): { hits: number; misses: number } {
    return this.sandbox?.reads ?? { hits: 0, misses: 0 };
  }

  get sandboxRebuilds(): number {
    let n = this.sandbox?.restarts ?? 0;
    for (const e of this.executors.values()) n += e.rebuilds;
    return n;
  }

  close(): void {
    for (const executor of this.executors.values()) executor.dispose();
    this.executors.clear();
    this.sandbox?.close();
  }

  private authenticate(signed: Signed, creatorAuthenticated: boolean): Proposal {
    assertProposalSize(signed, this.config);
    let proposal: Proposal;
    try {
      proposal = decodeProposal(signed.payload);
    } catch (err) {
      throw new ProposalRejectedError('The proposal is malformed.', { details: (err as Error).message, cause: err });
    }
    if (proposal.channelId !== this.peer.channelId) throw new ProposalRejectedError(`The proposal is for channel ${proposal.channelId}, not ${this.peer.channelId}.`);
    assertProposalTimely(proposal, this.config, Date.now());
    const creator = this.peer.membership.get(proposal.creator.mspId, proposal.creator.id);
    if (!creator) throw new ProposalRejectedError(`Unknown creator ${proposal.creator.mspId}/${proposal.creator.id}.`, { hint: 'Use an identity created by `flexchain up`.' });
    if (!creatorAuthenticated && !verifySignature(creator.publicKey, signed.payload, signed.signature)) {
      throw new ProposalRejectedError(`The proposal signature of ${creator.mspId}/${creator.id} does not verify.`, { hint: 'Sign with the private key of the identity named as creator.' });
    }
    return proposal;
  }

  private executor(active: ActiveContract): ContractRunner {
    const { packageId, name } = active.definition;
    let executor = this.executors.get(packageId);
    if (!executor) {
      const pkg = this.peer.packageOf(packageId);
      if (!pkg) throw new ContractNotDeployedError(`Package ${packageId.slice(0, 12)} of ${name} is not installed on ${this.peer.mspId}.`, { hint: 'Deploy the contract again.' });
      executor = this.sandbox ? this.sandbox.runner(pkg) : new ContractExecutor(pkg, this.config, this.sink);
      this.executors.set(packageId, executor);
    }
    return executor;
  }
}
