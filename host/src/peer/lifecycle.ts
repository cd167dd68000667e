// The `_lifecycle` system contract: which package of a contract is active,
// with which version and endorsement policy. Definitions are ordinary state in
// the `_lifecycle` namespace, written by ordered transactions, so every peer
// activates a contract (or its upgrade) at the same block, and a restarted peer
// finds them in its state.

import { CONTRACT_NAME_HINT, FlexChainError, fromJsonBytes, isValidContractName, RwSetBuilder, toCanonicalJson, type RwSet, type VersionedStateReader } from '@flexchain/sdk';
import { parsePolicy, type Policy } from '../validate/policy';

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

/** Simulates `_lifecycle.activate`: reads the current definition and writes the next one. */
export async function simulateActivate(args: readonly unknown[], state: VersionedStateReader, installedName: (packageId: string) => string | undefined): Promise<{ rwset: RwSet; payload: Uint8Array }> {
  const request = args[0] as Partial<ActivateRequest> | undefined;
  if (args.length !== 1 || typeof request !== 'object' || request === null) throw new LifecycleRequestInvalidError('activate takes one argument {name, version, packageId, policy}.');
  for (const field of ['name', 'version', 'packageId', 'policy'] as const) {
    if (typeof request[field] !== 'string' || request[field] === '') throw new LifecycleRequestInvalidError(`activate: ${field} must be a non-empty string.`);
  }
  if (!isValidContractName(request.name)) throw new LifecycleRequestInvalidError(`activate: ${JSON.stringify(request.name!.slice(0, 80))} is not a valid contract name.`, { hint: CONTRACT_NAME_HINT });
  parsePolicy(request.policy!);
  const packageName = installedName(request.packageId!);
  if (packageName === undefined) {
    throw new LifecycleRequestInvalidError(`Package ${request.packageId!.slice(0, 12)} is not installed on this peer.`, { hint: 'Install it first (flexchain deploy does both).' });
  }
  if (packageName !== request.name) {
    throw new LifecycleRequestInvalidError(`Package ${request.packageId!.slice(0, 12)} holds contract ${packageName}, not ${request.name}.`, { hint: 'Activate a package under the name of the contract it contains.' });
  }
  const rwset = new RwSetBuilder();
  const current = await state.get(request.name!);
  rwset.addRead(request.name!, current?.version);
  const previous = current ? fromJsonBytes<ContractDefinition>(current.value) : undefined;
  if (previous && previous.version === request.version && previous.packageId === request.packageId) {
    throw new LifecycleRequestInvalidError(`${request.name} version ${request.version} is already active.`, { hint: 'Deploy with a new --version to upgrade.' });
  }
  const definition: ContractDefinition = { name: request.name!, version: request.version!, packageId: request.packageId!, policy: request.policy!, sequence: (previous?.sequence ?? 0) + 1 };
  const bytes = toCanonicalJson(definition);
  rwset.addWrite(definition.name, bytes);
  return { rwset: rwset.build(), payload: bytes };
}

export function activeContract(bytes: Uint8Array): ActiveContract {
  const definition = fromJsonBytes<ContractDefinition>(bytes);
  return { definition, policy: parsePolicy(definition.policy) };
}
