// The `_lifecycle` system contract: which package of a contract is active,
// with which version and endorsement policy. Definitions are ordinary state in
// the `_lifecycle` namespace, written by ordered transactions, so every peer
// activates a contract (or its upgrade) at the same block, and a restarted peer
// finds them in its state.
//
// As in Fabric, no organisation decides alone:
//   approve(definition)   an org admin approves {name, version, packageId, policy}
//                         at the next sequence for their own org; endorsed by
//                         that org's peer, and it may write only that org's approval.
//   activate(definition)  commits the definition once approvals of the same
//                         definition meet the lifecycle policy (a majority of
//                         organisations); the approvals are in its read set, so
//                         a withdrawn or changed approval fails it in V2.
// State: <name> -> the active definition; composite key
// (approval, name, sequence, mspId) -> an org's approved definition.

import { bytesEqual, CONTRACT_NAME_HINT, createCompositeKey, FlexChainError, fromJsonBytes, isCompositeKey, isValidContractName, splitCompositeKey, RwSetBuilder, toCanonicalJson, type RwSet, type VersionedStateReader } from '@flexchain/sdk';
import { majorityPolicy, parsePolicy, type Policy } from '../validate/policy';

export const LIFECYCLE_CONTRACT = '_lifecycle';
/** Stands in for a package id in responses of the built-in lifecycle contract. */
export const LIFECYCLE_PACKAGE_ID = 'builtin:lifecycle/1';

export interface ContractDefinition {
  readonly name: string;
  readonly version: string;
  readonly packageId: string;
  /** Endorsement policy text. */
  readonly policy: string;
  /** 1 for the first deploy, +1 per upgrade. */
  readonly sequence: number;
}

export interface ActiveContract {
  readonly definition: ContractDefinition;
  readonly policy: Policy;
}

export class LifecycleRequestInvalidError extends FlexChainError {
  override name = 'LifecycleRequestInvalidError';
}

export interface ActivateRequest {
  readonly name: string;
  readonly version: string;
  readonly packageId: string;
  readonly policy: string;
}

/** The key of `mspId`'s approval of `name` at `sequence`. */
export function approvalKey(name: string, sequence: number, mspId: string): string {
  return createCompositeKey(APPROVAL_OBJECT, [name, String(sequence), mspId]);
}

const APPROVAL_OBJECT = 'approval';

/** Checks the request and reads the current definition; the definition the request would make next. */
async function nextDefinition(args: readonly unknown[], state: VersionedStateReader, installedName: (packageId: string) => string | undefined, rwset: RwSetBuilder, fn: string): Promise<ContractDefinition> {
  const request = args[0] as Partial<ActivateRequest> | undefined;
  if (args.length !== 1 || typeof request !== 'object' || request === null) throw new LifecycleRequestInvalidError(`${fn} takes one argument {name, version, packageId, policy}.`);
  for (const field of ['name', 'version', 'packageId', 'policy'] as const) {
    if (typeof request[field] !== 'string' || request[field] === '') throw new LifecycleRequestInvalidError(`${fn}: ${field} must be a non-empty string.`);
  }
  if (!isValidContractName(request.name)) throw new LifecycleRequestInvalidError(`${fn}: ${JSON.stringify(request.name!.slice(0, 80))} is not a valid contract name.`, { hint: CONTRACT_NAME_HINT });
  parsePolicy(request.policy!);
  const packageName = installedName(request.packageId!);
  if (packageName === undefined) {
    throw new LifecycleRequestInvalidError(`Package ${request.packageId!.slice(0, 12)} is not installed on this peer.`, { hint: 'Install it first (flexchain deploy does both).' });
  }
  if (packageName !== request.name) {
    throw new LifecycleRequestInvalidError(`Package ${request.packageId!.slice(0, 12)} holds contract ${packageName}, not ${request.name}.`, { hint: 'Activate a package under the name of the contract it contains.' });
  }
  const current = await state.get(request.name!);
  rwset.addRead(request.name!, current?.version);
  const previous = current ? fromJsonBytes<ContractDefinition>(current.value) : undefined;
  if (previous && previous.version === request.version && previous.packageId === request.packageId) {
    throw new LifecycleRequestInvalidError(`${request.name} version ${request.version} is already active.`, { hint: 'Deploy with a new --version to upgrade.' });
  }
  return { name: request.name!, version: request.version!, packageId: request.packageId!, policy: request.policy!, sequence: (previous?.sequence ?? 0) + 1 };
}

/** Simulates `_lifecycle.approve` by an admin of `mspId`: writes that org's approval of the next definition. */
export async function simulateApprove(args: readonly unknown[], state: VersionedStateReader, installedName: (packageId: string) => string | undefined, mspId: string): Promise<{ rwset: RwSet; payload: Uint8Array }> {
  const rwset = new RwSetBuilder();
  const definition = await nextDefinition(args, state, installedName, rwset, 'approve');
  const bytes = toCanonicalJson(definition);
  rwset.addWrite(approvalKey(definition.name, definition.sequence, mspId), bytes);
  return { rwset: rwset.build(), payload: bytes };
}

/** Simulates `_lifecycle.activate`: reads every organisation's approval and writes the next definition if a majority approved it. */
export async function simulateActivate(args: readonly unknown[], state: VersionedStateReader, installedName: (packageId: string) => string | undefined, organisations: readonly string[]): Promise<{ rwset: RwSet; payload: Uint8Array }> {
  const rwset = new RwSetBuilder();
  const definition = await nextDefinition(args, state, installedName, rwset, 'activate');
  const bytes = toCanonicalJson(definition);
  const approved: string[] = [];
  for (const mspId of organisations) {
    const key = approvalKey(definition.name, definition.sequence, mspId);
    const approval = await state.get(key);
    rwset.addRead(key, approval?.version);
    if (approval && bytesEqual(approval.value, bytes)) approved.push(mspId);
  }
  const needed = lifecyclePolicy(organisations);
  if (approved.length < needed.n) {
    throw new LifecycleRequestInvalidError(`Activating ${definition.name} ${definition.version} (sequence ${definition.sequence}) needs the approval of ${needed.n} of ${organisations.length} organisations; ${approved.length ? `only ${approved.join(', ')} approved` : 'none approved'} this definition.`, {
      hint: "Each organisation's admin approves the same name, version, package and policy first (flexchain deploy approves with every admin key it holds).",
    });
  }
  rwset.addWrite(definition.name, bytes);
  return { rwset: rwset.build(), payload: bytes };
}

/** Who must agree to a lifecycle change: a majority of organisations. */
export function lifecyclePolicy(organisations: readonly string[]): Policy & { kind: 'outOf' } {
  return majorityPolicy(organisations) as Policy & { kind: 'outOf' };
}

/**
 * The host's check of a lifecycle transaction's writes in V1, whoever endorsed it:
 * approve writes exactly its creator's own approval; activate writes exactly the named definition.
 */
export function lifecycleWriteDefect(fn: string, args: readonly unknown[], creatorMsp: string, rwset: RwSet): string | undefined {
  const name = (args[0] as { name?: unknown } | undefined)?.name;
  if (typeof name !== 'string' || rwset.writes.length !== 1 || rwset.writes[0]!.isDelete) return 'a lifecycle transaction writes exactly one record';
  const key = rwset.writes[0]!.key;
  if (fn === 'activate') return key === name && isValidContractName(key) ? undefined : 'activate may only write the definition it names';
  if (fn !== 'approve' || !isCompositeKey(key)) return `${fn} is not a lifecycle transaction`;
  const { objectType, attributes } = splitCompositeKey(key);
  return objectType === APPROVAL_OBJECT && attributes.length === 3 && attributes[0] === name && attributes[2] === creatorMsp ? undefined : "approve may only write its own organisation's approval";
}

/** Who endorses a lifecycle transaction: the approver's own organisation, or a majority for activation. */
export function lifecycleEndorsementPolicy(proposal: { readonly fn: string; readonly creator: { readonly mspId: string } }, organisations: readonly string[]): Policy {
  return proposal.fn === 'approve' ? { kind: 'principal', org: proposal.creator.mspId, role: 'peer' } : lifecyclePolicy(organisations);
}

/** True for a `_lifecycle` key holding an active definition (not an approval). */
export const isDefinitionKey = (key: string): boolean => !isCompositeKey(key);

export function activeContract(bytes: Uint8Array): ActiveContract {
  const definition = fromJsonBytes<ContractDefinition>(bytes);
  return { definition, policy: parsePolicy(definition.policy) };
}
