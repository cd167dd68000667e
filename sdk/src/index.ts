// @flexchain/sdk: write FlexChain contracts in TypeScript.

export { Contract, Context } from './contract';
export { Submit, Evaluate, Returns, type ParamSpec, type TransactionKind } from './decorators';
export { t, TypeMismatchError, typeFromDescriptor, argumentFromText, type Type, type Infer, type TypeDescriptor } from './arg-types';
export { ClientIdentity, type IdentityInfo } from './identity';
export type { ChaincodeStub, StateQueryIterator, KV, PaginatedQueryResult, ChaincodeEvent, TxTimestamp } from './stub';
export { SimulationStub, type SimulationStubOptions } from './stub';
export type { ContractLogger, LogLevel, LogRecord, LogSink } from './logger';
export { createContractLogger, formatLogArgs } from './logger';
export { canonicalStringify, toCanonicalJson, fromJsonBytes, type JsonValue } from './canonical-json';
export { utf8Encode, utf8Decode, utf8ByteLength, compareUtf8, base64Encode, base64Decode, bytesEqual, isWellFormedUnicode } from './bytes';
export { createCompositeKey, splitCompositeKey, isCompositeKey, keyInRange, keySuccessor, assertValidKey, COMPOSITE_KEY_NAMESPACE } from './keys';
export { DEFAULT_STUB_LIMITS, resolveStubLimits, type StubLimits } from './limits';
export {
  RwSetBuilder,
  encodeRwSet,
  decodeRwSet,
  rwSetToJson,
  rwSetFromJson,
  compareVersions,
  versionsEqual,
  formatVersion,
  stateWriteOf,
  type RwSet,
  type KVRead,
  type KVWrite,
  type RangeQueryInfo,
  type Version,
} from './rwset';
export { checkMvcc, type MvccVerdict, type MvccOutcome } from './mvcc';
export { TxValidationCode, validationCodeName, type TxValidationCodeName } from './validation-code';
export type { VersionedStateReader, VersionedStateStore, VersionedValue, VersionedEntry, StateWrite } from './world-state';
export { defineContract, contractMetadata, isValidContractName, CONTRACT_NAME_HINT, type ContractClass, type ContractDefinition, type TransactionDefinition, type ContractMetadata, type TransactionMetadata } from './definition';
export { simulateTransaction, findTransaction, checkArguments, decodeResult, type SimulationRequest, type SimulationResult } from './simulate';
export * from './errors';
