// @flexchain/sdk/testing: run contracts against a mocked world state in unit tests.

export {
  MockWorldState,
  MockContract,
  createMockWorldState,
  type MockWorldStateOptions,
  type CallOptions,
  type SimulatedTx,
  type SubmittedTx,
  type TxReceipt,
  type BlockReceipt,
  type CommittedEvent,
  type LogEntry,
  type WorldSnapshot,
} from './mock-world-state';
export { MemoryVersionedStore } from './memory-state';
