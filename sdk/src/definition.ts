// A contract class read as a definition: its name and its transactions.
// Also the JSON metadata `flexchain build` ships with a package (names,
// parameter and return types, submit vs evaluate).

import type { TypeDescriptor } from './arg-types';
import { Contract } from './contract';
import { transactionSpecOf, type TransactionKind, type TransactionSpec } from './decorators';
import { ContractDefinitionInvalidError } from './errors';

export type ContractClass<C extends Contract = Contract> = (new () => C) & { contractName?: string };

export interface TransactionDefinition extends TransactionSpec {
  readonly name: string;
  readonly method: Function;
}

export interface ContractDefinition {
  readonly name: string;
  readonly contractClass: ContractClass;
  readonly transactions: ReadonlyMap<string, TransactionDefinition>;
}

export interface TransactionMetadata {
  readonly name: string;
  readonly kind: TransactionKind;
  readonly params: readonly { readonly name: string; readonly type: TypeDescriptor }[];
  readonly returns?: TypeDescriptor;
}

export interface ContractMetadata {
  readonly name: string;
  readonly transactions: readonly TransactionMetadata[];
}

const CONTRACT_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

/** The contract name grammar, also enforced by the host at install and activation. Names never contain U+0000, which keeps state namespaces apart. */
export function isValidContractName(name: unknown): name is string {
  return typeof name === 'string' && CONTRACT_NAME.test(name);
}

export const CONTRACT_NAME_HINT = 'Use 1-64 letters, digits, "_", "." or "-", starting with a letter (set `static contractName`).';

export function defineContract(contractClass: ContractClass): ContractDefinition {
  if (typeof contractClass !== 'function' || !(contractClass.prototype instanceof Contract)) {
    throw new ContractDefinitionInvalidError('A contract must be a class that extends Contract from @flexchain/sdk.', {
      hint: 'Write `export class MyContract extends Contract { ... }`.',
    });
  }
  const name = Object.prototype.hasOwnProperty.call(contractClass, 'contractName') && contractClass.contractName ? contractClass.contractName : contractClass.name;
  if (!isValidContractName(name)) {
    throw new ContractDefinitionInvalidError(`Contract name ${JSON.stringify(name)} is invalid.`, { hint: CONTRACT_NAME_HINT });
  }
  const transactions = new Map<string, TransactionDefinition>();
  const shadowed = new Set<string>();
  for (let proto = contractClass.prototype as object; proto !== Contract.prototype; proto = Object.getPrototypeOf(proto) as object) {
    for (const key of Object.getOwnPropertyNames(proto)) {
      if (key === 'constructor' || shadowed.has(key)) continue;
      shadowed.add(key);
      const method = Object.getOwnPropertyDescriptor(proto, key)?.value as unknown;
      const spec = typeof method === 'function' ? transactionSpecOf(method) : undefined;
      if (spec) transactions.set(key, { name: key, method: method as Function, ...spec });
    }
  }
  if (transactions.size === 0) {
    throw new ContractDefinitionInvalidError(`Contract ${name} has no transactions.`, { hint: 'Mark methods with @Submit(...) or @Evaluate(...).' });
  }
  return { name, contractClass, transactions };
}

export function contractMetadata(definition: ContractDefinition): ContractMetadata {
  const transactions = [...definition.transactions.values()]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((tx) => ({
      name: tx.name,
      kind: tx.kind,
      params: tx.params.map(([name, type]) => ({ name, type: type.describe() })),
      ...(tx.returns ? { returns: tx.returns.describe() } : {}),
    }));
  return { name: definition.name, transactions };
}
