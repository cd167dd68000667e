// A memory node failure: remote memory comes back empty. The peer materialises
// only the blocks after its savepoint (here, the ones the storage node had not
// received), then serves reads from storage while memory refills, with exactly
// the committed state it had.

import type { FlexChainClient } from '@flexchain/sdk/client';
import type { EmbeddedNetwork } from '@flexchain/host';
import { CONTRACTS_DIR, startTestNetwork, type TestNetwork } from '../support/network-fixture';

describe('remote memory failure and recovery', () => {
  let net: TestNetwork;
  let network: EmbeddedNetwork;
  let client: FlexChainClient;

  beforeAll(async () => {
    net = await startTestNetwork({ orgs: 1, cnodes: 2, config: { blockTimeoutMs: 5 }, deploy: [{ dir: `${CONTRACTS_DIR}/smallbank`, policy: "OR('Org1.member')" }] });
    ({ network, client } = net);
  }, 60_000);

  afterAll(() => net.close());

  it('replays only the blocks after the savepoint and ends with the committed state', async () => {
    const peer = network.peers[0]!;
    await client.submit('smallbank', 'seedAccounts', [0, 200, 1000, 1000]);
    for (let i = 0; i < 5; i++) await client.submit('smallbank', 'sendPayment', [String(i), String(100 + i), 10 * (i + 1)]);
    await peer['worldState'].drain();
    const savepoint = peer.stats().worldState.savepoint!;
    expect(savepoint).toBe(peer.height - 1);

    // The storage node stops receiving blocks: these four live only in memory and in the block store.
    peer.materializationLagging = true;
    for (let i = 0; i < 4; i++) await client.submit('smallbank', 'depositChecking', [String(150 + i), 7]);
    await client.submit('smallbank', 'amalgamate', ['3', '4']);
    const lagging = peer.height - 1 - savepoint;
    expect(lagging).toBe(5);
    const accounts = ['0', '3', '4', '100', '104', '150', '153', '199'];
    const before = await Promise.all(accounts.map((a) => client.evaluate('smallbank', 'query', [a])));

    peer.materializationLagging = false;
    expect(await peer.recoverMemoryLoss()).toBe(lagging);
    expect(peer.stats().worldState).toMatchObject({ memoryUsedBytes: 0, savepoint: peer.height - 1 });

    const after = await Promise.all(accounts.map((a) => client.evaluate('smallbank', 'query', [a])));
    expect(after).toEqual(before);
    // Account 4 sent 50, then received all of account 3 (1000 savings + 1000 - 40 checking).
    expect(after[2]).toEqual({ checking: 1000 - 50 + 1000 + 960, savings: 1000 });
    expect(peer.stats().worldState.storageReadShare).toBeGreaterThan(0);

    // And it keeps going: writes refill memory.
    await client.submit('smallbank', 'sendPayment', ['4', '0', 1]);
    expect(await client.evaluate('smallbank', 'query', ['0'])).toEqual({ checking: 1000 - 10 + 1, savings: 1000 });
    expect(peer.stats().worldState.memoryUsedBytes).toBeGreaterThan(0);
  });
});
