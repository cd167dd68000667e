// The client library against a network over real gRPC: deploy, submit,
// evaluate, event streaming, status, and errors that keep their names.

import { join } from 'node:path';
import { utf8Decode } from '@flexchain/sdk';
import { connect, type FlexChainClient } from '@flexchain/sdk/client';
import type { ContractEvent } from '@flexchain/sdk/protocol';
import { loadSigningIdentity, type EmbeddedNetwork } from '@flexchain/host';
import { startTestNetwork, type TestNetwork } from '../support/network-fixture';

describe('gateway over gRPC', () => {
  let net: TestNetwork;
  let network: EmbeddedNetwork;
  let client: FlexChainClient;
  let dataDir: string;

  beforeAll(async () => {
    net = await startTestNetwork({
      orgs: 1,
      cnodes: 1,
      port: 0,
      grpc: true,
      config: { blockTimeoutMs: 10 },
      deploy: [{ dir: join(__dirname, '..', 'conformance'), entry: 'conformance-contract.ts', policy: "OR('Org1.member')" }],
    });
    ({ network, client, dataDir } = net);
    expect(network.endpoint).toMatch(/^127\.0\.0\.1:\d+$/);
  }, 60_000);

  afterAll(() => net.close());

  it('streams events of committed transactions, and only valid ones', async () => {
    const received: ContractEvent[] = [];
    const unsubscribe = client.events('conformance', (e) => received.push(e));
    await new Promise((r) => setTimeout(r, 100));
    const committed = await client.submit('conformance', 'emit', ['Shipped', '{"order":7}']);
    await expect(client.submit('conformance', 'putThenFail', ['x', 'y'])).rejects.toThrow('deliberate failure after writing x');
    for (let i = 0; i < 50 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    unsubscribe();
    expect(received.map((e) => ({ ...e, payload: utf8Decode(e.payload) }))).toEqual([
      { contract: 'conformance', name: 'Shipped', payload: '{"order":7}', txId: committed.txId, blockNum: committed.blockNum },
    ]);
  });

  it('decodes results with the declared return types (bigint comes back as bigint)', async () => {
    const { result } = await client.submit('conformance', 'typed', ['ann', 2, 21n, true]);
    expect(result).toEqual({ name: 'ann', count: 2, doubled: 42n, flag: true, tags: 0 });
  });

  it('keeps error names and hints across gRPC', async () => {
    const error = await client.evaluate('conformance', 'typed', ['ann', 'two', 1n, true]).catch((e: Error & { hint?: string }) => e);
    expect(error).toMatchObject({ name: 'ContractExecutionError' });
    expect((error as Error).message).toContain('Argument "count" of transaction "typed" must be an integer between 0 and 100, got string "two".');
    const missing = await client.evaluate('nope', 'f', []).catch((e: Error & { hint?: string }) => e);
    expect(missing).toMatchObject({ name: 'ContractNotDeployedError', hint: 'Deploy it with `flexchain deploy`.' });
  });

  it('carries many calls at once on its stream, and a failing one fails only itself', async () => {
    const calls = Array.from({ length: 40 }, (_, i) => (i % 10 === 3 ? client.submit('conformance', 'putThenFail', [`s${i}`, 'v']) : client.submit('conformance', 'emit', ['Many', `{"i":${i}}`])));
    const settled = await Promise.allSettled(calls);
    settled.forEach((outcome, i) => {
      if (i % 10 === 3) expect(outcome).toMatchObject({ status: 'rejected', reason: { message: expect.stringContaining(`deliberate failure after writing s${i}`) } });
      else expect(outcome).toMatchObject({ status: 'fulfilled', value: { code: 'VALID' } });
    });
  });

  it('reports status: height, contracts with metadata, cNodes', async () => {
    const status = await client.status();
    expect(status.height).toBe(network.orderer.height);
    expect(status.contracts[0]).toMatchObject({ name: 'conformance', version: '1', sequence: 1 });
    expect(status.contracts[0]!.metadata!.transactions.map((t) => t.name)).toContain('typed');
    expect(status.peers[0]!.cnodes).toHaveLength(1);
  });

  it('endorses the responses of one turn under one signature, and says so in status', async () => {
    const before = (await client.status()).peers[0]!.cnodes[0]!;
    await Promise.all(Array.from({ length: 20 }, (_, i) => client.submit('conformance', 'emit', ['Batch', `{"i":${i}}`])));
    const after = (await client.status()).peers[0]!.cnodes[0]!;
    expect(after.endorsed - before.endorsed).toBe(20);
    // Twenty endorsements arrive on one stream in far fewer turns than twenty.
    expect(after.endorsementRoots - before.endorsementRoots).toBeLessThan(20);
    expect(after.endorsementRoots - before.endorsementRoots).toBeGreaterThan(0);
  });

  it('says where it tried when the network is gone', async () => {
    const stray = connect({ gateway: '127.0.0.1:1', identity: loadSigningIdentity(join(dataDir, 'msp'), 'Org1MSP', 'client'), channelId: 'x' });
    await expect(stray.status()).rejects.toThrow('Cannot reach the network at 127.0.0.1:1.');
    stray.close();
  });
});
