// One error base class for every FlexChain package.
//
// A FlexChainError carries a short message (what happened), optional details
// (facts a reader needs: which key, which argument, what was received) and a hint
// (what to do). Subclasses are named <Noun><Condition>Error and fix `name`, so
// callers narrow with `err.name === 'KeyInvalidError'` or `instanceof`.

export interface FlexChainErrorOptions {
  details?: string;
  hint?: string;
  cause?: unknown;
}

export class FlexChainError extends Error {
  override name = 'FlexChainError';
  readonly shortMessage: string;
  readonly details: string | undefined;
  readonly hint: string | undefined;

  constructor(shortMessage: string, options: FlexChainErrorOptions = {}) {
    super(formatMessage(shortMessage, options), options.cause === undefined ? undefined : { cause: options.cause });
    this.shortMessage = shortMessage;
    this.details = options.details;
    this.hint = options.hint;
  }
}

function formatMessage(shortMessage: string, { details, hint }: FlexChainErrorOptions): string {
  let message = shortMessage;
  if (details) message += `\n${details}`;
  if (hint) message += `\nHint: ${hint}`;
  return message;
}

/** A key broke a key rule (empty, malformed Unicode, reserved prefix, too long). */
export class KeyInvalidError extends FlexChainError {
  override name = 'KeyInvalidError';
}

/** A value was not bytes or exceeded a size limit. */
export class ValueInvalidError extends FlexChainError {
  override name = 'ValueInvalidError';
}

/** A composite key part was malformed. */
export class CompositeKeyInvalidError extends FlexChainError {
  override name = 'CompositeKeyInvalidError';
}

/** A range query had bad bounds or page size. */
export class RangeQueryInvalidError extends FlexChainError {
  override name = 'RangeQueryInvalidError';
}

/** A transaction argument did not match its declared type. */
export class ArgumentInvalidError extends FlexChainError {
  override name = 'ArgumentInvalidError';
  constructor(
    readonly transaction: string,
    readonly parameter: string,
    readonly expected: string,
    readonly received: unknown,
    reason?: string,
  ) {
    super(`Argument "${parameter}" of transaction "${transaction}" must be ${expected}, got ${describeValue(received)}${reason ? ` (${reason})` : ''}.`, {
      hint: expected === UNKNOWN_FIELD_EXPECTED ? `Remove "${parameter}".` : `Pass ${expected} for "${parameter}".`,
    });
  }
}

/** What a strict object expects of a field it does not declare. */
export const UNKNOWN_FIELD_EXPECTED = 'left out';

/** Too many arguments, or a required one missing. */
export class ArgumentCountMismatchError extends FlexChainError {
  override name = 'ArgumentCountMismatchError';
}

/** The contract has no transaction of that name. */
export class TransactionNotFoundError extends FlexChainError {
  override name = 'TransactionNotFoundError';
}

/** An @Evaluate transaction tried to write state. */
export class StateWriteForbiddenError extends FlexChainError {
  override name = 'StateWriteForbiddenError';
}

/** A value handed to the canonical JSON encoder has no canonical form. */
export class JsonValueUnsupportedError extends FlexChainError {
  override name = 'JsonValueUnsupportedError';
}

/** Bytes given to the JSON decoder were not JSON. */
export class JsonBytesInvalidError extends FlexChainError {
  override name = 'JsonBytesInvalidError';
}

/** A contract class or decorator was used in a way the SDK cannot run. */
export class ContractDefinitionInvalidError extends FlexChainError {
  override name = 'ContractDefinitionInvalidError';
}

/** A transaction returned a value that does not match its declared return type. */
export class ReturnValueInvalidError extends FlexChainError {
  override name = 'ReturnValueInvalidError';
}

/** An event name or payload broke an event rule. */
export class EventInvalidError extends FlexChainError {
  override name = 'EventInvalidError';
}

/** A serialised rw-set could not be decoded. */
export class RwSetMalformedError extends FlexChainError {
  override name = 'RwSetMalformedError';
}

/** A transaction used a stub after it finished, e.g. an iterator kept past the transaction. */
export class TransactionClosedError extends FlexChainError {
  override name = 'TransactionClosedError';
}

/** A contract called something whose result differs between peers (random numbers, clocks, timers, eval). */
export class DeterminismError extends FlexChainError {
  override name = 'DeterminismError';
}

/** A submitted transaction was ordered but invalidated (MVCC conflict, policy failure, ...). */
export class TransactionInvalidError extends FlexChainError {
  override name = 'TransactionInvalidError';
  constructor(
    readonly txId: string,
    readonly code: string,
    options: FlexChainErrorOptions = {},
  ) {
    super(`Transaction ${txId} was not committed: ${code}.`, options);
  }
}

/** A configuration value is out of range or inconsistent with another. */
export class ConfigInvalidError extends FlexChainError {
  override name = 'ConfigInvalidError';
}

/** Short, bounded description of a received value for error messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'bigint') return `bigint ${value}n`;
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  if (Array.isArray(value)) return `array of length ${value.length}`;
  if (value instanceof Uint8Array) return `Uint8Array of ${value.length} bytes`;
  return typeof value === 'object' ? 'object' : typeof value;
}
