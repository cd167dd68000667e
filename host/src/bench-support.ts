// @flexchain/host/bench-support: a peer's world state without the rest of the
// peer, for benchmarks of the state layer and of validation, and for tests that
// compare validation modes. Commits go through the same PeerWorldState steps as
// a peer's commit pipeline; validation is the peer's own validateBlock.

import type { HostConfig } from './config';
import { parseEndpoint } from './network';
import { TcpMemoryClient } from './state/transport/tcp-memory-client';
import { peerWorldState, type CommittedWrite, type PeerWorldState, type WorldStateStats } from './state/peer-world-state';
import { LedgerDb } from './storage/ledger-db';
import type { ValidationLanes } from './validate/validation-lanes';

export interface BenchWorldState {
  namespace: PeerWorldState['namespace'];
  /** Commits one block's writes as a peer would: atomic batch, then memory and materialisation. */
  commitBlock(blockNum: number, writes: readonly CommittedWrite[]): Promise<void>;
  stats(): WorldStateStats;
  /** The peer's cNode threads as validation lanes (config.validationThreads of them), if any. */
  readonly lanes?: ValidationLanes;
  close(): Promise<void>;
}

export { validateBlock, dependencyGraphOfVerdicts, type ValidationPlan, type BlockValidationResult } from './validate/block-validation';
export { dependencyGraphOf, accessOf } from './order/dependency-graph';
export { mulberry32, zipfSampler } from './bench/random';
export { SyntheticBlocks, type SyntheticBlockOptions } from './bench/synthetic-blocks';
export type { EndorsementVerdict } from './validate/endorsement-validator';
export type { ValidationLanes } from './validate/validation-lanes';
export type { CommittedWrite } from './state/peer-world-state';

/** `mnode` ("host:port") puts remote memory in a memory node process; default in-process. */
export async function openWorldState(location: string, config: HostConfig, cnodeCount: number, options: { mnode?: string } = {}): Promise<BenchWorldState> {
  const ledger = new LedgerDb(location, config.leveldbCacheBytes);
  await ledger.open();
  const { mnode } = options;
  const world = peerWorldState(ledger, config, cnodeCount, {
    ...(mnode === undefined ? {} : { connect: () => TcpMemoryClient.connect(...parseEndpoint(mnode)) }),
    log: () => undefined,
  });
  await world.recover(0, async () => []);
  let height = 0;
  return {
    namespace: (contract, cnodeIndex) => world.namespace(contract, cnodeIndex),
    async commitBlock(blockNum, writes) {
      // Blocks reach world state in order, as from a peer; numbers a caller skips commit nothing.
      for (; height < blockNum; height++) await world.blockCommitted(height, []);
      height = blockNum + 1;
      const ops = world.commitOps(writes);
      if (ops.length > 0) await ledger.write(ops);
      await world.blockCommitted(blockNum, writes);
    },
    stats: () => world.stats(),
    ...(world.validationLanes ? { lanes: world.validationLanes } : {}),
    async close() {
      await world.close();
      await ledger.close();
    },
  };
}
