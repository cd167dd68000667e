import { utf8Encode } from '@flexchain/sdk';
import { MockWorldState } from '@flexchain/sdk/testing';
import { ConformanceContract } from './conformance-contract';
import { describeStubConformance, type ConformanceTarget } from './stub-conformance';

describeStubConformance('mocked world state', async (): Promise<ConformanceTarget> => {
  const world = new MockWorldState({ printLogs: false });
  const contract = world.deploy(ConformanceContract);
  return {
    channelId: world.channelId,
    simulate: (fn, args, options) => world.simulate(contract.name, fn, args, options),
    commit: async (...txs) => (await world.commit(...txs.map((tx) => ({ ...tx, contract: contract.name })))).transactions,
    seed: async (entries) => {
      contract.seed(Object.entries(entries).map(([k, v]) => [k, utf8Encode(v)] as const));
    },
    committed: async (key) => world.committedEntry(contract.name, key),
    close: async () => {},
  };
});
