// The three sample contracts from the paper, bundled with their npm
// dependencies and run in the sandbox of a real network. Every transaction is
// endorsed by two organisations whose responses must be byte-identical, so
// this also shows the contracts are deterministic in the sandbox.

import type { FlexChainClient } from '@flexchain/sdk/client';
import { CONTRACTS_DIR, startTestNetwork, type TestNetwork } from '../support/network-fixture';

describe('sample contracts on a network', () => {
  let net: TestNetwork;
  let client: FlexChainClient;

  beforeAll(async () => {
    const policy = "AND('Org1.member', 'Org2.member')";
    net = await startTestNetwork({ orgs: 2, cnodes: 1, config: { blockTimeoutMs: 10 }, deploy: ['ycsb', 'smallbank', 'kmeans'].map((name) => ({ dir: `${CONTRACTS_DIR}/${name}`, policy })) });
    client = net.client;
  }, 120_000);

  afterAll(() => net.close());

  it('ycsb: load, update, read and scan 10 KB records', async () => {
    await client.submit('ycsb', 'load', ['user', 0, 20, 4, 10 * 1024]);
    await client.submit('ycsb', 'update', ['user0007', 10 * 1024]);
    expect(((await client.evaluate('ycsb', 'read', ['user0007'])) as Uint8Array).length).toBe(10 * 1024);
    expect(await client.evaluate('ycsb', 'scan', ['user0018', 5])).toEqual([
      { key: 'user0018', size: 10240 },
      { key: 'user0019', size: 10240 },
    ]);
  });

  it('smallbank: payments move money and overdrafts are refused', async () => {
    await client.submit('smallbank', 'seedAccounts', [0, 10, 100, 100]);
    await client.submit('smallbank', 'sendPayment', ['1', '2', 60]);
    await client.submit('smallbank', 'amalgamate', ['3', '2']);
    expect(await client.evaluate('smallbank', 'query', ['2'])).toEqual({ checking: 360, savings: 100 });
    await expect(client.submit('smallbank', 'sendPayment', ['1', '2', 41])).rejects.toThrow('insufficient funds: checking of 1 is 40, cannot send 41');
  });

  it('kmeans: getFood clusters the profiles with ml-kmeans inside the sandbox, identically on both endorsers', async () => {
    const centres = [[0, 0, 0], [100, 0, 0], [0, 100, 100]];
    for (const [g, centre] of centres.entries()) {
      for (let i = 0; i < 4; i++) await client.submit('kmeans', 'updateProfile', [`g${g}-${i}`, centre.map((x, d) => x + ((i + d) % 3))]);
    }
    const { result } = await client.submit('kmeans', 'getFood', [3, 2000, 10]);
    expect(result).toMatchObject({ profiles: 12, clusters: 3, converged: true, sizes: [4, 4, 4] });
    for (let g = 0; g < 3; g++) {
      const clusters = await Promise.all([0, 1, 2, 3].map((i) => client.evaluate('kmeans', 'assignment', [`g${g}-${i}`])));
      expect(new Set(clusters).size).toBe(1);
    }
  });
});
