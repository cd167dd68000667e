// @flexchain/host/bench-support: a peer's world state without the rest of the
// peer, for benchmarks of the state layer. Commits go through the same
// PeerWorldState steps as a peer's commit pipeline.

import type { HostConfig } from './config';
import { DisaggregatedWorldState, LevelDbWorldState, type CommittedWrite, type PeerWorldState, type WorldStateStats } from './state/peer-world-state';
import { LedgerDb } from './storage/ledger-db';

export interface BenchWorldState {
  namespace: PeerWorldState['namespace'];
  /** Commits one block's writes as a peer would: atomic batch, then memory and materialisation. */
  commitBlock(blockNum: number, writes: readonly CommittedWrite[]): Promise<void>;
  stats(): WorldStateStats;
  close(): Promise<void>;
}

export async function openWorldState(location: string, config: HostConfig, cnodeCount: number): Promise<BenchWorldState> {
  const ledger = new LedgerDb(location, config.leveldbCacheBytes);
  await ledger.open();
  const world: PeerWorldState =
    config.worldState === 'leveldb'
      ? new LevelDbWorldState(ledger)
      : new DisaggregatedWorldState(ledger, cnodeCount, config.tieredState, { reconnectIntervalMs: config.memoryReconnectIntervalMs, reconnectAttemptsMax: config.memoryReconnectAttemptsMax, log: () => undefined });
  await world.recover(0, async () => []);
  return {
    namespace: (contract, cnodeIndex) => world.namespace(contract, cnodeIndex),
    async commitBlock(blockNum, writes) {
      const ops = world.commitOps(writes);
      if (ops.length > 0) await ledger.write(ops);
      await world.blockCommitted(blockNum, writes);
    },
    stats: () => world.stats(),
    async close() {
      await world.close();
      await ledger.close();
    },
  };
}
