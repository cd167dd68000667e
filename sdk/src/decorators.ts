// @Submit, @Evaluate and @Returns: which methods are transactions, what
// arguments they take and what they return.
//
// These are standard (TC39) decorators, so TypeScript checks that the method's
// parameters match the declared types. Parameter names are declared with the
// types, never read from function source text (which minifiers and bundlers
// rewrite). The registry is keyed by the method function itself.

import type { Infer, Type } from './arg-types';
import type { Context, Contract } from './contract';
import { ContractDefinitionInvalidError } from './errors';

/** [name, type] of one transaction parameter. */
export type ParamSpec = readonly [name: string, type: Type<any>];

type ArgsOf<P extends readonly ParamSpec[]> = { -readonly [K in keyof P]: Infer<P[K][1]> };

export type TransactionKind = 'submit' | 'evaluate';

export interface TransactionSpec {
  readonly kind: TransactionKind;
  readonly params: readonly ParamSpec[];
  readonly returns?: Type<unknown>;
}

interface PartialSpec {
  kind?: TransactionKind;
  params?: readonly ParamSpec[];
  returns?: Type<unknown>;
}

const registry = new WeakMap<Function, PartialSpec>();

/** The spec recorded for a method, if it was decorated as a transaction. */
export function transactionSpecOf(method: Function): TransactionSpec | undefined {
  const spec = registry.get(method);
  if (!spec?.kind) return undefined;
  return { kind: spec.kind, params: spec.params ?? [], ...(spec.returns ? { returns: spec.returns } : {}) };
}

type TransactionMethod<This, A extends unknown[]> = (this: This, ctx: Context, ...args: A) => unknown;

function transactionDecorator<const P extends readonly ParamSpec[]>(kind: TransactionKind, params: P) {
  const decoratorName = kind === 'submit' ? '@Submit' : '@Evaluate';
  validateParams(decoratorName, params);
  return function <This extends Contract>(method: TransactionMethod<This, ArgsOf<P>>, context: ClassMethodDecoratorContext<This>): void {
    const name = assertStandardDecorator(decoratorName, method, context);
    const spec = registry.get(method) ?? {};
    if (spec.kind) throw new ContractDefinitionInvalidError(`Method "${name}" is decorated twice as a transaction.`, { hint: 'Use one of @Submit or @Evaluate.' });
    registry.set(method, { ...spec, kind, params });
  };
}

/**
 * Marks a method as a transaction that may change state. Declare each parameter
 * after `ctx` as [name, type]:
 *
 *   @Submit(['id', t.string()], ['amount', t.int({ min: 1 })])
 *   async deposit(ctx: Context, id: string, amount: number) { ... }
 */
export function Submit<const P extends readonly ParamSpec[]>(...params: P) {
  return transactionDecorator('submit', params);
}

/** Marks a read-only transaction: it may read state but any write throws. */
export function Evaluate<const P extends readonly ParamSpec[]>(...params: P) {
  return transactionDecorator('evaluate', params);
}

/** Declares the return type; the value is checked and encoded with it. */
export function Returns<R>(type: Type<R>) {
  return function <This extends Contract>(method: (this: This, ctx: Context, ...args: any[]) => R | Promise<R>, context: ClassMethodDecoratorContext<This>): void {
    const name = assertStandardDecorator('@Returns', method, context);
    const spec = registry.get(method) ?? {};
    if (spec.returns) throw new ContractDefinitionInvalidError(`Method "${name}" has two @Returns decorators.`);
    registry.set(method, { ...spec, returns: type as Type<unknown> });
  };
}

function assertStandardDecorator(decoratorName: string, method: unknown, context: unknown): string {
  const ctx = context as ClassMethodDecoratorContext | undefined;
  if (typeof ctx !== 'object' || ctx === null || ctx.kind !== 'method') {
    throw new ContractDefinitionInvalidError(`${decoratorName} must decorate a class method and needs standard decorators.`, {
      hint: 'Remove "experimentalDecorators" from tsconfig.json: FlexChain uses standard (TC39) decorators.',
    });
  }
  if (ctx.static || ctx.private) throw new ContractDefinitionInvalidError(`${decoratorName} cannot decorate the static or #private method ${String(ctx.name)}.`);
  // In the sandbox every shared function (built-ins, the SDK) is frozen, and a contract's own methods never are:
  // registering a shared one would let one transaction leave a mark the next could read.
  if (typeof method !== 'function' || Object.isFrozen(method)) {
    throw new ContractDefinitionInvalidError(`${decoratorName} must decorate a method the contract class defines itself.`, { hint: 'Apply it with decorator syntax to a method of your contract class.' });
  }
  return String(ctx.name);
}

function validateParams(decoratorName: string, params: readonly ParamSpec[]): void {
  const seen = new Set<string>();
  let optionalSeen: string | undefined;
  params.forEach((param, i) => {
    if (!Array.isArray(param) || param.length !== 2 || typeof param[0] !== 'string' || typeof param[1]?.check !== 'function') {
      throw new ContractDefinitionInvalidError(`${decoratorName} parameter ${i + 1} must be [name, type], e.g. ['amount', t.int()].`);
    }
    const [name, type] = param;
    if (!/^[A-Za-z_$][\w$]*$/.test(name)) throw new ContractDefinitionInvalidError(`${decoratorName} parameter name ${JSON.stringify(name)} is not an identifier.`);
    if (seen.has(name)) throw new ContractDefinitionInvalidError(`${decoratorName} declares parameter "${name}" twice.`);
    seen.add(name);
    if (type.optional) optionalSeen ??= name;
    else if (optionalSeen) {
      throw new ContractDefinitionInvalidError(`${decoratorName} parameter "${name}" is required but follows optional "${optionalSeen}".`, {
        hint: 'Put optional parameters last.',
      });
    }
  });
}
