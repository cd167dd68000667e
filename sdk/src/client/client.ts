// The client library: connect, submit, evaluate, events. A function per
// operation; a client object only binds them to a gateway and an identity.
//
// submit = proposal under the client's session -> gateway gathers endorsements ->
// check they agree -> assemble and sign the transaction -> gateway orders it ->
// commit status. The session is opened on first use with one signature
// (openSession) and opened again when it expires or the gateway forgot it.


import { base64Encode } from '../bytes';
import type { JsonValue } from '../canonical-json';
import { FlexChainError } from '../errors';
import type { TxValidationCodeName } from '../validation-code';
import { typeFromDescriptor, type Type } from '../arg-types';
import { fromJsonBytes, canonicalStringify } from '../canonical-json';
import { linearPattern } from '../protocol/metadata-rules';
import { decodeResponse, encodeProposal, encodeSessionHello, encodeTransaction, newProposal, newSessionHello, type Creator, type Proposal, type Signed } from '../protocol/messages';
import type { CommitStatus, ContractEvent, DeployedContractStatus, GatewayApi, InstallResult, NetworkStatus, SessionResult } from '../protocol/gateway-api';
import { Signer } from '../protocol/signing';
import { TransactionInvalidError } from '../errors';
import { grpcTransport, type GrpcTransport } from './grpc-transport';

/** A proposal under a session carries no signature. */
const NO_SIGNATURE = new Uint8Array(0);

export interface ClientIdentityKeys {
  readonly mspId: string;
  readonly id: string;
  /** PKCS#8 PEM. */
  readonly privateKey: string;
}

export interface ConnectParameters {
  /** host:port of a gateway, or a GatewayApi object (an in-process network). */
  readonly gateway: string | GatewayApi;
  readonly identity: ClientIdentityKeys;
  readonly channelId: string;
}

export interface CallOptions {
  /** Fixed proposal time (default: now). */
  readonly timestamp?: Date;
  /** Fixed nonce, hex (default: random). Reusing one reuses the tx id. */
  readonly nonce?: string;
}

export interface SubmitResult extends CommitStatus {
  /** The decoded return value. */
  readonly result: unknown;
}

export interface FlexChainClient {
  readonly identity: Creator;
  evaluate(contract: string, fn: string, args?: readonly unknown[], options?: CallOptions): Promise<unknown>;
  /** Submits and waits for commit; throws TransactionInvalidError unless VALID. */
  submit(contract: string, fn: string, args?: readonly unknown[], options?: CallOptions): Promise<SubmitResult>;
  events(contract: string, listener: (event: ContractEvent) => void): () => void;
  status(): Promise<NetworkStatus>;
  install(packageJson: string): Promise<InstallResult>;
  /** Approves a contract definition for this client's organisation (the client must be its admin). */
  approve(definition: ContractDefinitionRequest): Promise<SubmitResult>;
  /**
   * Installs the package on the peers, approves the definition for this client's organisation
   * and for each of `approvers` (admin clients of other organisations), then activates it
   * (an upgrade if already deployed). Activation needs the approval of a majority of organisations.
   */
  deploy(packageJson: string, options: { version: string; policy: string; approvers?: readonly FlexChainClient[] }): Promise<DeployResult>;
  close(): void;
}

/** A contract definition, as approved and activated through `_lifecycle`. */
export interface ContractDefinitionRequest {
  readonly name: string;
  readonly version: string;
  readonly packageId: string;
  readonly policy: string;
}

export interface DeployResult extends InstallResult, CommitStatus {
  readonly version: string;
  readonly sequence: number;
  readonly policy: string;
}

export function connect({ gateway, identity, channelId }: ConnectParameters): FlexChainClient {
  const api: GatewayApi | GrpcTransport = typeof gateway === 'string' ? grpcTransport(gateway) : gateway;
  const signer = new Signer(identity.privateKey);
  const creator: Creator = { mspId: identity.mspId, id: identity.id };
  const metadata = new Map<string, DeployedContractStatus>();

  const propose = (contract: string, fn: string, args: readonly unknown[], options: CallOptions = {}) => createProposal({ channelId, creator, contract, fn, args, ...options });
  let session: Promise<SessionResult> | undefined;
  const openSession = (): Promise<SessionResult> => {
    session ??= api.openSession(signer.signed(encodeSessionHello(newSessionHello(channelId, creator)))).catch((err: unknown) => {
      session = undefined;
      throw err;
    });
    return session;
  };
  /** A proposal under the session; once more under a new one if the gateway no longer knows it. */
  const proposeUnderSession = async <T>(payload: Uint8Array, call: (proposal: Signed) => Promise<T>): Promise<T> => {
    let current = await openSession();
    if (Date.now() >= current.expiresAtMs) {
      session = undefined;
      current = await openSession();
    }
    try {
      return await call({ payload, signature: NO_SIGNATURE, session: current.session });
    } catch (err) {
      if ((err as Error).name !== 'SessionUnknownError') throw err;
      if (session && (await session).session === current.session) session = undefined;
      return call({ payload, signature: NO_SIGNATURE, session: (await openSession()).session });
    }
  };

  /** Return types built from a deployed contract's metadata, per transaction (null: none declared); gone with the metadata. */
  const returnTypes = new WeakMap<DeployedContractStatus, Map<string, Type<unknown> | null>>();
  const decode = async (contract: string, fn: string, payload: Uint8Array): Promise<unknown> => {
    if (payload.length === 0) return undefined;
    if (!metadata.has(contract)) for (const c of (await api.status()).contracts) metadata.set(c.name, c);
    const deployed = metadata.get(contract);
    let types = deployed && returnTypes.get(deployed);
    if (deployed && !types) returnTypes.set(deployed, (types = new Map()));
    let returns = types?.get(fn);
    if (returns === undefined) {
      const descriptor = deployed?.metadata?.transactions.find((t) => t.name === fn)?.returns;
      // Metadata comes from whoever installed the package: patterns are matched in linear time.
      returns = descriptor ? typeFromDescriptor(descriptor, linearPattern) : null;
      types?.set(fn, returns);
    }
    const wire = fromJsonBytes(payload);
    return returns ? returns.check(wire, 'return value') : wire;
  };

  const client: FlexChainClient = {
    identity: creator,
    async evaluate(contract, fn, args = [], options) {
      const { payload } = propose(contract, fn, args, options);
      return decode(contract, fn, (await proposeUnderSession(payload, (p) => api.evaluate(p))).payload);
    },
    async submit(contract, fn, args = [], options) {
      const { proposal, payload: proposalBytes } = propose(contract, fn, args, options);
      const endorsed = await proposeUnderSession(proposalBytes, (p) => api.endorse(p));
      const response = decodeResponse(endorsed.response);
      if (response.txId !== proposal.txId) throw new FlexChainError('The gateway returned a response for another proposal.');
      const payload = encodeTransaction({ proposal: proposalBytes, response: endorsed.response, endorsements: endorsed.endorsements });
      const status = await api.submit(signer.signed(payload));
      if (status.code !== 'VALID') throw new TransactionInvalidError(status.txId, status.code, { hint: hintFor(status.code) });
      return { ...status, result: await decode(contract, fn, response.payload) };
    },
    events: (contract, listener) => api.events(contract, listener),
    status: () => api.status(),
    async install(packageJson) {
      const payload = new TextEncoder().encode(packageJson);
      return api.install(signer.signed(payload));
    },
    approve: (definition) => client.submit('_lifecycle', 'approve', [definition]),
    async deploy(packageJson, { version, policy, approvers = [] }) {
      const installed = await client.install(packageJson);
      const activation: ContractDefinitionRequest = { name: installed.name, version, packageId: installed.packageId, policy };
      for (const approver of [client, ...approvers]) await approver.approve(activation);
      const committed = await client.submit('_lifecycle', 'activate', [activation]);
      metadata.delete(installed.name);
      const definition = committed.result as { sequence: number };
      return { ...installed, ...committed, version, policy, sequence: definition.sequence };
    },
    close() {
      if ('close' in api) (api as GrpcTransport).close();
    },
  };
  return client;
}

export interface ProposalParameters extends CallOptions {
  readonly channelId: string;
  readonly creator: Creator;
  readonly contract: string;
  readonly fn: string;
  /** JS values; converted with toWireArgument. */
  readonly args: readonly unknown[];
}

/** A proposal and its canonical bytes (what the creator signs). */
export function createProposal({ channelId, creator, contract, fn, args, timestamp, nonce }: ProposalParameters): { proposal: Proposal; payload: Uint8Array } {
  const ms = (timestamp ?? new Date()).getTime();
  const proposal = newProposal({
    channelId,
    contract,
    fn,
    args: args.map(toWireArgument),
    creator,
    timestamp: { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 },
    ...(nonce ? { nonce } : {}),
  });
  return { proposal, payload: encodeProposal(proposal) };
}

/** JS values to their JSON wire form: bigint as decimal text, bytes as base64, undefined as null. */
export function toWireArgument(value: unknown): JsonValue {
  if (value === undefined) return null;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return base64Encode(value);
  if (Array.isArray(value)) return value.map(toWireArgument);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, toWireArgument(v)]));
  }
  canonicalStringify(value);
  return value as JsonValue;
}

function hintFor(code: TxValidationCodeName): string {
  switch (code) {
    case 'MVCC_READ_CONFLICT':
    case 'PHANTOM_READ_CONFLICT':
      return 'Another transaction changed what this one read; submit it again.';
    case 'ENDORSEMENT_POLICY_FAILURE':
      return "The endorsements did not satisfy the contract's endorsement policy.";
    case 'DUPLICATE_TXID':
      return 'A transaction with this id is already on the ledger.';
    default:
      return 'See the peer log for the reason.';
  }
}
