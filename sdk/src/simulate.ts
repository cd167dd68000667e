// Simulation of one transaction: validate arguments, run the contract method
// against a SimulationStub, encode the result, return the rw-set and events.
//
// This is the single definition of "what a call does". The mocked world state
// calls it in-process; a cNode calls it inside its sandbox. Nothing here commits.

import { fromJsonBytes, toCanonicalJson } from './canonical-json';
import { TypeMismatchError, type Type } from './arg-types';
import { Context, type Contract } from './contract';
import type { ContractDefinition, TransactionDefinition } from './definition';
import { ArgumentCountMismatchError, ArgumentInvalidError, ReturnValueInvalidError, TransactionNotFoundError } from './errors';
import { ClientIdentity, type IdentityInfo } from './identity';
import type { StubLimits } from './limits';
import { createContractLogger, type LogSink } from './logger';
import type { RwSet } from './rwset';
import { SimulationStub, type ChaincodeEvent, type TxTimestamp } from './stub';
import type { VersionedStateReader } from './world-state';

export interface SimulationRequest {
  readonly definition: ContractDefinition;
  readonly instance: Contract;
  readonly fn: string;
  /** Arguments as JS values or their JSON wire form. */
  readonly args: readonly unknown[];
  readonly identity: IdentityInfo;
  readonly state: VersionedStateReader;
  readonly txId: string;
  readonly timestamp: TxTimestamp;
  readonly channelId: string;
  readonly limits: StubLimits;
  readonly log: LogSink;
}

export interface SimulationResult {
  readonly txId: string;
  readonly contract: string;
  readonly fn: string;
  readonly kind: TransactionDefinition['kind'];
  /** Canonical JSON of the return value; empty when the method returned nothing. */
  readonly payload: Uint8Array;
  readonly rwset: RwSet;
  readonly events: readonly ChaincodeEvent[];
}

export function findTransaction(definition: ContractDefinition, fn: string): TransactionDefinition {
  const tx = definition.transactions.get(fn);
  if (!tx) {
    throw new TransactionNotFoundError(`Contract "${definition.name}" has no transaction "${fn}".`, {
      details: `Transactions: ${[...definition.transactions.keys()].sort().join(', ')}.`,
      hint: 'Check the name, and that the method is marked @Submit or @Evaluate.',
    });
  }
  return tx;
}

/** Checks arguments against the declared parameters and converts them to their JS form. */
export function checkArguments(tx: TransactionDefinition, args: readonly unknown[]): unknown[] {
  const required = tx.params.filter(([, type]) => !type.optional).length;
  if (args.length > tx.params.length || args.length < required) {
    const signature = tx.params.map(([name, type]) => (type.optional ? `${name}?` : name)).join(', ');
    throw new ArgumentCountMismatchError(`Transaction "${tx.name}" takes ${required === tx.params.length ? required : `${required} to ${tx.params.length}`} arguments, got ${args.length}.`, {
      hint: `Call it as ${tx.name}(${signature}).`,
    });
  }
  return tx.params.map(([name, type], i) => {
    try {
      return type.check(args[i], name);
    } catch (err) {
      if (err instanceof TypeMismatchError) throw new ArgumentInvalidError(tx.name, err.path, err.expected, err.received, err.reason);
      throw err;
    }
  });
}

export async function simulateTransaction(request: SimulationRequest): Promise<SimulationResult> {
  const { definition, instance } = request;
  const tx = findTransaction(definition, request.fn);
  const args = checkArguments(tx, request.args);
  const stub = new SimulationStub({
    state: request.state,
    txId: request.txId,
    timestamp: request.timestamp,
    channelId: request.channelId,
    limits: request.limits,
    readOnly: tx.kind === 'evaluate',
    transactionName: tx.name,
  });
  const ctx = new Context(stub, new ClientIdentity(request.identity), createContractLogger(request.log));
  let outcome: { ok: true; payload: Uint8Array } | { ok: false; error: unknown };
  try {
    await instance.beforeTransaction(ctx);
    const value: unknown = await tx.method.call(instance, ctx, ...args);
    await instance.afterTransaction(ctx, value);
    outcome = { ok: true, payload: encodeResult(tx, value) };
  } catch (error) {
    outcome = { ok: false, error };
  }
  // Closing the stub makes late calls from a contract that forgot to await fail loudly.
  const { rwset, events } = await stub.finish();
  if (!outcome.ok) throw outcome.error;
  return { txId: request.txId, contract: definition.name, fn: tx.name, kind: tx.kind, payload: outcome.payload, rwset, events };
}

function encodeResult(tx: TransactionDefinition, value: unknown): Uint8Array {
  if (!tx.returns) return value === undefined ? new Uint8Array(0) : toCanonicalJson(value);
  let checked: unknown;
  try {
    checked = tx.returns.check(value, 'return value');
  } catch (err) {
    if (err instanceof TypeMismatchError) {
      throw new ReturnValueInvalidError(`Transaction "${tx.name}" returned a value that does not match @Returns: ${err.shortMessage}`, {
        hint: 'Fix the method or its @Returns type.',
      });
    }
    throw err;
  }
  const wire = tx.returns.toWire(checked);
  return wire === undefined ? new Uint8Array(0) : toCanonicalJson(wire);
}

/** Decodes a result payload into its JS form; with the declared type, bigint and bytes come back typed. */
export function decodeResult(payload: Uint8Array, returns?: Type<unknown>): unknown {
  if (payload.length === 0) return undefined;
  const wire = fromJsonBytes(payload);
  return returns ? returns.check(wire, 'return value') : wire;
}
