// The network's front door: what clients call, whatever the transport (gRPC or
// in-process). Endorsement gathers one signed response per organisation the
// contract's policy needs; submission hands the client-signed transaction to the
// orderer and waits until the peers behind this gateway have committed it.

import { bytesEqual, FlexChainError } from '@flexchain/sdk';
import {
  decodeProposal,
  decodeResponse,
  decodeTransaction,
  verifySignature,
  type CommitStatus,
  type ContractEvent,
  type EndorseResult,
  type Endorsement,
  type EvaluateResult,
  type GatewayApi,
  type InstallResult,
  type NetworkStatus,
  type Proposal,
  type SessionResult,
  type Signed,
} from '@flexchain/sdk/protocol';
import { leastLoaded } from './balancer/load-balancer';
import type { HostConfig } from './config';
import { ClientSessions } from './identity/client-sessions';
import type { Membership } from './identity/msp';
import type { OrderingService } from './order/orderer';
import { LIFECYCLE_CONTRACT, lifecycleEndorsementPolicy } from './peer/lifecycle';
import { assertProposalSize, assertProposalTimely, ProposalRejectedError } from './peer/cnode';
import type { Peer } from './peer/peer';
import { ownsTxId } from './ledger/block-store';
import { parsePackage } from './sandbox/contract-package';
import { endorsingOrganisations, type Policy } from './validate/policy';

export class EndorsementFailedError extends FlexChainError {
  override name = 'EndorsementFailedError';
}

export class InstallRefusedError extends FlexChainError {
  override name = 'InstallRefusedError';
}

export class Gateway implements GatewayApi {
  private readonly peersByMsp: Map<string, Peer>;
  /** The organisations chosen to endorse under a policy, by the creator's organisation. */
  private readonly endorsersByPolicy = new WeakMap<Policy, Map<string, readonly string[]>>();
  private readonly startedAtMs = Date.now();
  private readonly sessions: ClientSessions;

  constructor(
    private readonly peers: readonly Peer[],
    private readonly orderer: OrderingService,
    private readonly membership: Membership,
    private readonly config: HostConfig,
    readonly channelId: string,
  ) {
    this.peersByMsp = new Map(peers.map((p) => [p.mspId, p]));
    this.sessions = new ClientSessions(membership, channelId, config);
  }

  async openSession(hello: Signed): Promise<SessionResult> {
    return this.sessions.open(hello);
  }

  async evaluate(signed: Signed): Promise<EvaluateResult> {
    assertProposalSize(signed, this.config);
    const proposal = decodeProposal(signed.payload);
    const authenticated = this.authenticatedBySession(signed, proposal);
    const peer = this.peerFor(proposal.creator.mspId);
    const { response } = await leastLoaded(peer.cnodes).simulate(signed, authenticated);
    return { payload: response.payload };
  }

  async endorse(signed: Signed): Promise<EndorseResult> {
    assertProposalSize(signed, this.config);
    const proposal = decodeProposal(signed.payload);
    const authenticated = this.authenticatedBySession(signed, proposal);
    const orgs = this.endorsersFor(proposal.contract, proposal.fn, proposal.creator.mspId);
    const results = await Promise.all(orgs.map((mspId) => leastLoaded(this.peerFor(mspId).cnodes).endorse(signed, authenticated)));
    const first = results[0]!;
    const disagreeing = results.find((r) => !bytesEqual(r.responseBytes, first.responseBytes));
    if (disagreeing) {
      throw new EndorsementFailedError(`Endorsers of ${proposal.contract}.${proposal.fn} computed different results.`, {
        details: `${first.endorser.mspId} and ${disagreeing.endorser.mspId} disagree; the contract is likely non-deterministic.`,
        hint: 'Run `flexchain check` on the contract.',
      });
    }
    const endorsements: Endorsement[] = results.map((r) => ({ endorser: r.endorser, signature: r.signature, ...(r.batch ? { batch: r.batch } : {}) }));
    return { response: first.responseBytes, endorsements };
  }

  /**
   * Orders the transaction and resolves once every peer behind this gateway has
   * committed it, so a caller's next proposal, endorsed by any of them, sees it.
   * The status is the one recorded by the creator's peer.
   */
  async submit(envelope: Signed): Promise<CommitStatus> {
    const tx = decodeTransaction(envelope.payload);
    const proposal = decodeProposal(tx.proposal);
    assertProposalTimely(proposal, this.config, Date.now());
    // V1 would refuse a response that does not decode or answers another proposal; refuse it before it is ordered.
    let response;
    try {
      response = decodeResponse(tx.response);
    } catch (err) {
      throw new ProposalRejectedError(`The endorsed response of transaction ${proposal.txId.slice(0, 12)} does not decode: ${err instanceof Error ? err.message : String(err)}`, { hint: 'Submit the response bytes the endorsers returned, unchanged.' });
    }
    if (response.txId !== proposal.txId) {
      throw new ProposalRejectedError(`The endorsed response is for transaction ${response.txId.slice(0, 12)}, not ${proposal.txId.slice(0, 12)}.`, { hint: 'Submit the response bytes the endorsers returned for this proposal.' });
    }
    const own = this.peerFor(proposal.creator.mspId);
    // A tx id already on the ledger would only be marked DUPLICATE_TXID; say so without ordering it.
    const known = await own.txStatus(proposal.txId);
    if (known && ownsTxId(known.code)) return { txId: proposal.txId, blockNum: known.blockNum, txNum: known.txNum, code: 'DUPLICATE_TXID' };
    const committed = this.peers.map((p) => p.waitForCommit(proposal.txId, this.config.commitWaitMs, { checkLedger: false, envelope }));
    await this.orderer.broadcast(envelope);
    const statuses = await Promise.all(committed);
    return statuses[this.peers.indexOf(own)]!;
  }

  events(contract: string, listener: (event: ContractEvent) => void): () => void {
    const peer = this.peers[0]!;
    return peer.onEvent((event) => {
      if (event.contract === contract) listener(event);
    });
  }

  async status(): Promise<NetworkStatus> {
    await Promise.all(this.peers.map((p) => p.refreshStats()));
    const peers = this.peers.map((p) => p.stats());
    const contracts = this.peers[0]!.deployed.map(({ definition: { name, version, sequence, packageId, policy } }) => {
      const metadata = this.peers[0]!.packageOf(packageId)?.metadata;
      return { name, version, sequence, packageId, policy, ...(metadata ? { metadata } : {}) };
    });
    return {
      channelId: this.channelId,
      height: Math.min(...this.peers.map((p) => p.height)),
      ordererHeight: this.orderer.height,
      organisations: this.membership.organisations,
      contracts,
      peers,
      uptimeMs: Date.now() - this.startedAtMs,
      tpsSinceStart: peers[0]?.tpsSinceStart ?? 0,
    };
  }

  /** Installs a package on every peer. The payload is the package JSON, signed by an organisation admin. */
  async install(signed: Signed): Promise<InstallResult> {
    const admins = this.membership.admins();
    if (!admins.some((a) => verifySignature(a.publicKey, signed.payload, signed.signature))) {
      throw new InstallRefusedError('Only an organisation admin may install contracts; the signature is not an admin\'s.', { hint: 'Deploy as an admin identity (flexchain deploy uses Org1MSP/admin by default).' });
    }
    const pkg = parsePackage(Buffer.from(signed.payload).toString('utf8'), 'the uploaded package');
    const ids = await Promise.all(this.peers.map((p) => p.installPackage(pkg)));
    return { packageId: ids[0]!, name: pkg.name };
  }

  /**
   * Whether the proposal's creator is the one its session authenticated (then
   * cNodes skip the signature); false when it carries no session and must be signed.
   */
  private authenticatedBySession(signed: Signed, proposal: Proposal): boolean {
    if (signed.session === undefined) return false;
    const creator = this.sessions.creatorOf(signed.session);
    if (creator.mspId !== proposal.creator.mspId || creator.id !== proposal.creator.id) {
      throw new ProposalRejectedError(`The proposal names creator ${proposal.creator.mspId}/${proposal.creator.id}, but its session is ${creator.mspId}/${creator.id}'s.`, { hint: 'Send proposals under a session of their creator.' });
    }
    return true;
  }

  private endorsersFor(contract: string, fn: string, creatorMsp: string): readonly string[] {
    const orgs = this.membership.organisations;
    const policy: Policy | undefined = contract === LIFECYCLE_CONTRACT ? lifecycleEndorsementPolicy({ fn, creator: { mspId: creatorMsp } }, orgs) : this.peers[0]!.active(contract)?.policy;
    if (!policy) return [this.peerFor(creatorMsp).mspId];
    // An active contract's policy object lives until an upgrade replaces it: its choice per creator organisation is made once.
    let byCreator = this.endorsersByPolicy.get(policy);
    if (!byCreator) this.endorsersByPolicy.set(policy, (byCreator = new Map()));
    const known = byCreator.get(creatorMsp);
    if (known) return known;
    // Prefer the creator's own organisation first, as a client's own gateway peer would.
    const ordered = [creatorMsp, ...orgs.filter((o) => o !== creatorMsp)].filter((o) => this.peersByMsp.has(o));
    const chosen = endorsingOrganisations(policy, ordered);
    if (!chosen) {
      throw new EndorsementFailedError(`No set of this network's organisations can satisfy the endorsement policy of ${contract}.`, { hint: 'Upgrade the contract with a policy that names organisations of this network.' });
    }
    // Only members' organisations are remembered: a proposal cannot grow this with made-up ones.
    if (orgs.includes(creatorMsp)) byCreator.set(creatorMsp, chosen);
    return chosen;
  }

  private peerFor(mspId: string): Peer {
    return this.peersByMsp.get(mspId) ?? this.peers[0]!;
  }
}
