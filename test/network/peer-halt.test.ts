// Issue 13, defect 2: one refused block used to stop a peer's delivery for
// good while the process kept serving, every submit waiting out commitWaitMs.
// Now a transient fault is retried, and a block that cannot commit halts the
// peer loudly: a clear status, every waiter answered at once, and the
// network's onPeerHalted (which makes `flexchain up` exit non-zero).

import type { FlexChainClient } from '@flexchain/sdk/client';
import type { EmbeddedNetwork } from '@flexchain/host';
import { CONTRACTS_DIR, startTestNetwork, type TestNetwork } from '../support/network-fixture';

describe('a peer that cannot commit', () => {
  let net: TestNetwork;
  let network: EmbeddedNetwork;
  let client: FlexChainClient;
  const halts: { mspId: string; error: Error }[] = [];
  const logs: string[] = [];

  beforeAll(async () => {
    net = await startTestNetwork({
      orgs: 1,
      cnodes: 1,
      config: { blockTimeoutMs: 5, commitRetryDelayMs: 5 },
      log: (level, message) => logs.push(`${level} ${message}`),
      onPeerHalted: (mspId, error) => halts.push({ mspId, error }),
      deploy: [{ dir: `${CONTRACTS_DIR}/smallbank`, policy: "OR('Org1.member')" }],
    });
    ({ network, client } = net);
  }, 60_000);

  afterAll(() => net.close());

  it('retries a block through a transient storage fault', async () => {
    const peer = network.peers[0]!;
    const ledger = peer['ledger'] as { write: (ops: unknown[]) => Promise<void> };
    const write = ledger.write.bind(ledger);
    let failures = 2;
    ledger.write = (ops) => (failures-- > 0 ? Promise.reject(new Error('injected: IO error')) : write(ops));
    const result = await client.submit('smallbank', 'seedAccounts', [0, 10, 100, 100]);
    expect(result.code).toBe('VALID');
    expect(failures).toBeLessThan(0);
    expect(peer.halted).toBeUndefined();
    expect(logs.filter((l) => /failed to commit \(attempt [12] of 6\), retrying: injected: IO error/.test(l))).toHaveLength(2);
  });

  it('halts loudly on a block that does not chain, and answers everyone at once', async () => {
    const peer = network.peers[0]!;
    const last = (await peer.block(peer.height - 1))!.block;
    const forged = { ...last, header: { ...last.header, number: peer.height, previousHash: '00'.repeat(32) } };
    await expect(peer.commitBlock(forged)).rejects.toMatchObject({ name: 'PeerHaltedError' });
    expect(halts).toHaveLength(1);
    expect(halts[0]!.mspId).toBe('Org1MSP');
    expect(halts[0]!.error.message).toMatch(new RegExp(`Org1MSP halted at height ${peer.height}: block ${peer.height} was refused: Block ${peer.height} does not chain`));
    expect(logs.some((l) => l.startsWith('error Org1MSP halted'))).toBe(true);

    const status = await network.gateway.status();
    expect(status.peers[0]!.halted).toMatch(/halted at height/);
    const started = Date.now();
    await expect(client.submit('smallbank', 'depositChecking', ['1', 5])).rejects.toMatchObject({ name: 'PeerHaltedError' });
    await expect(client.evaluate('smallbank', 'query', ['1'])).rejects.toMatchObject({ name: 'PeerHaltedError' });
    await expect(peer.waitForCommit('f'.repeat(64), 30_000)).rejects.toMatchObject({ name: 'PeerHaltedError' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
