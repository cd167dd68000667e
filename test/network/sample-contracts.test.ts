// The three sample contracts from the paper, bundled with their npm
// dependencies and run in the sandbox of a real network. Every transaction is
// endorsed by two organisations whose responses must be byte-identical, so
// this also shows the contracts are deterministic in the sandbox.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type FlexChainClient } from '@flexchain/sdk/client';
import { buildPackage, EmbeddedNetwork, loadSigningIdentity } from '@flexchain/host';

const CONTRACTS = join(__dirname, '..', '..', 'contracts');

describe('sample contracts on a network', () => {
  let dataDir: string;
  let network: EmbeddedNetwork;
  let client: FlexChainClient;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'flexchain-samples-'));
    network = await EmbeddedNetwork.start({ dataDir, orgs: 2, cnodes: 1, grpc: false, config: { blockTimeoutMs: 10 } });
    const msp = join(dataDir, 'msp');
    const channelId = network.manifest.channelId;
    const admin = connect({ gateway: network.gateway, identity: loadSigningIdentity(msp, 'Org1MSP', 'admin'), channelId });
    for (const name of ['ycsb', 'smallbank', 'kmeans']) {
      const built = await buildPackage(join(CONTRACTS, name), { outDir: join(dataDir, 'pkg') });
      await admin.deploy(readFileSync(built.file, 'utf8'), { version: '1', policy: "AND('Org1.member', 'Org2.member')" });
    }
    admin.close();
    client = connect({ gateway: network.gateway, identity: loadSigningIdentity(msp, 'Org1MSP', 'client'), channelId });
  }, 120_000);

  afterAll(async () => {
    client.close();
    await network.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

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
