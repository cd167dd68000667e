// Contract base class and the per-transaction Context.

import type { ChaincodeStub } from './stub';
import type { ClientIdentity } from './identity';
import type { ContractLogger } from './logger';

export class Context {
  constructor(
    /** The world state as this transaction sees it. */
    readonly stub: ChaincodeStub,
    /** Who submitted the transaction. */
    readonly clientIdentity: ClientIdentity,
    /** Logs tagged with contract and transaction; shown in tests and in the node's log. */
    readonly logger: ContractLogger,
  ) {}
}

/**
 * Base class of every contract. Methods marked @Submit or @Evaluate are its
 * transactions; anything else cannot be called from outside.
 *
 * A contract instance may be reused across transactions, so keep no state in
 * fields: everything a transaction needs comes from `ctx`.
 */
export abstract class Contract {
  /** Name under which the contract is deployed; defaults to the class name. */
  static contractName?: string;

  /** Runs before every transaction, after arguments are validated. Throw to reject. */
  beforeTransaction(_ctx: Context): void | Promise<void> {}

  /** Runs after every transaction that did not throw, with its return value. */
  afterTransaction(_ctx: Context, _result: unknown): void | Promise<void> {}
}
