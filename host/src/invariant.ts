// Invariants the code relies on, checked where they must hold. A violation is
// a bug in FlexChain, never bad input: it stops the operation loudly instead of
// letting it go on with state it cannot trust.

import { FlexChainError } from '@flexchain/sdk';

export class InvariantViolatedError extends FlexChainError {
  override name = 'InvariantViolatedError';
}

/** Throws InvariantViolatedError with `message` unless `condition` holds. */
export function assertInvariant(condition: boolean, message: string): asserts condition {
  if (!condition) {
    throw new InvariantViolatedError(`Invariant violated: ${message}.`, { hint: 'This is a bug in FlexChain: stop the node, keep its data directory and its log, and report it.' });
  }
}
