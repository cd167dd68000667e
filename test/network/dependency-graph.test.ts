// The dependency graph end to end: the orderer ships it with each block,
// covered by the header, and parallel validation follows it; a peer that gets
// blocks without a graph builds one, says so in its log, and commits the same.

import { blockHash, graphHashOf, type DependencyGraph } from '@flexchain/sdk/protocol';
import type { LogLevel, TransactionInvalidError } from '@flexchain/sdk';
import { CONTRACTS_DIR, startTestNetwork, type TestNetwork } from '../support/network-fixture';
import { join } from 'node:path';

const SMALLBANK = { dir: join(CONTRACTS_DIR, 'smallbank'), policy: "OR('Org1.member')" };

/** Opens accounts, then sends three payments that the orderer puts in one block: two spend from alice, one is unrelated. */
async function paymentsInOneBlock(net: TestNetwork) {
  for (const id of ['alice', 'bob', 'carol', 'dave', 'erin']) await net.client.submit('smallbank', 'createAccount', [id, 1000, 0]);
  const height = net.network.orderer.height;
  const submit = (args: unknown[]) => net.client.submit('smallbank', 'sendPayment', args).catch((err: TransactionInvalidError) => ({ txId: err.txId }));
  const sent = await Promise.all([submit(['alice', 'bob', 600]), submit(['alice', 'carol', 600]), submit(['dave', 'erin', 10])]);
  const outcomes = await Promise.all(sent.map(async ({ txId }) => (await net.network.peers[0]!.txStatus(txId))!));
  expect(new Set(outcomes.map((o) => o.blockNum))).toEqual(new Set([height]));
  return { height, outcomes };
}

describe('dependency graph from orderer to validator', () => {
  it('travels with the block, covered by its hash, with an edge between the conflicting payments only', async () => {
    const net = await startTestNetwork({ orgs: 1, cnodes: 2, deploy: [SMALLBANK], config: { blockTimeoutMs: 300 } });
    try {
      const { height, outcomes } = await paymentsInOneBlock(net);
      const stored = (await net.network.peers[0]!.block(height))!;
      const graph = stored.block.graph!;
      expect(stored.block.header.graphHash).toBe(graphHashOf(graph));
      expect(blockHash(stored.block.header)).not.toBe(blockHash({ ...stored.block.header, graphHash: graphHashOf({ dependencies: graph.dependencies.map(() => []) }) }));
      const [a, b, c] = outcomes.map((o) => o.txNum);
      expect(graph.dependencies[Math.max(a!, b!)]).toContain(Math.min(a!, b!));
      expect(graph.dependencies[c!]).toEqual([]);
      expect(outcomes.map((o) => o.code)).toEqual(a! < b! ? ['VALID', 'MVCC_READ_CONFLICT', 'VALID'] : ['MVCC_READ_CONFLICT', 'VALID', 'VALID']);
      const validation = (await net.client.status()).peers[0]!.validation;
      expect(validation).toMatchObject({ mode: 'parallel', blocks: height + 1, graphsBuiltLocally: 0 });
      expect(validation.v1Ms).toBeGreaterThan(0);
      expect(validation.mvccMs).toBeGreaterThan(0);
      expect(validation.writeMs).toBeGreaterThan(0);
      expect(validation.checksOnThreads).toBeUndefined();
    } finally {
      await net.close();
    }
  }, 60_000);

  it('a peer given blocks without a graph builds it, logs that, and commits the same outcome', async () => {
    const warnings: string[] = [];
    const log = (level: LogLevel, message: string) => void (level === 'warn' && warnings.push(message));
    const net = await startTestNetwork({ orgs: 1, cnodes: 1, deploy: [SMALLBANK], log, config: { blockTimeoutMs: 300, orderDependencyGraphs: false } });
    try {
      const { height, outcomes } = await paymentsInOneBlock(net);
      expect((await net.network.peers[0]!.block(height))!.block.graph).toBeUndefined();
      expect(warnings.some((w) => w.includes(`block ${height}: the block has no dependency graph; building the dependency graph locally`))).toBe(true);
      expect((await net.client.status()).peers[0]!.validation.graphsBuiltLocally).toBe(warnings.filter((w) => w.includes('building the dependency graph locally')).length);
      expect(outcomes.map((o) => o.code).sort()).toEqual(['MVCC_READ_CONFLICT', 'VALID', 'VALID']);
      expect(((await net.client.evaluate('smallbank', 'query', ['alice'])) as { checking: number }).checking).toBe(400);
    } finally {
      await net.close();
    }
  }, 60_000);

  describe('an orderer that ships a well-formed graph without the edges (hash and chain intact)', () => {
    /** Makes the network's orderer drop every edge of the graphs it computes, before it hashes the block. */
    function dropGraphEdges(net: TestNetwork): void {
      const orderer = net.network.orderer as unknown as { appendBlock(envelopes: unknown[], graph?: DependencyGraph): Promise<void> };
      const append = orderer.appendBlock.bind(orderer);
      orderer.appendBlock = (envelopes, graph) => append(envelopes, graph && { dependencies: graph.dependencies.map(() => []) });
    }

    it('misleads a peer that trusts it: both payments from alice commit', async () => {
      const net = await startTestNetwork({ orgs: 1, cnodes: 1, deploy: [SMALLBANK], config: { blockTimeoutMs: 300 } });
      try {
        dropGraphEdges(net);
        const { height, outcomes } = await paymentsInOneBlock(net);
        expect((await net.network.peers[0]!.block(height))!.block.graph!.dependencies.flat()).toEqual([]);
        expect(outcomes.map((o) => o.code)).toEqual(['VALID', 'VALID', 'VALID']);
      } finally {
        await net.close();
      }
    }, 60_000);

    it('cannot mislead a peer that builds its own graphs (trustOrdererGraphs: false): it commits what sequential validation commits', async () => {
      const net = await startTestNetwork({ orgs: 1, cnodes: 1, deploy: [SMALLBANK], config: { blockTimeoutMs: 300, trustOrdererGraphs: false } });
      try {
        dropGraphEdges(net);
        const { height, outcomes } = await paymentsInOneBlock(net);
        expect((await net.network.peers[0]!.block(height))!.block.graph!.dependencies.flat()).toEqual([]);
        const [a, b] = outcomes.map((o) => o.txNum);
        expect(outcomes.map((o) => o.code)).toEqual(a! < b! ? ['VALID', 'MVCC_READ_CONFLICT', 'VALID'] : ['MVCC_READ_CONFLICT', 'VALID', 'VALID']);
        expect(((await net.client.evaluate('smallbank', 'query', ['alice'])) as { checking: number }).checking).toBe(400);
        // Every block with transactions was validated by a graph of its own making, without a warning.
        const validation = (await net.client.status()).peers[0]!.validation;
        expect(validation.graphsBuiltLocally).toBe(height);
      } finally {
        await net.close();
      }
    }, 60_000);
  });

  it('a peer whose cNode thread takes V2 tasks commits the same outcome', async () => {
    const net = await startTestNetwork({ orgs: 1, cnodes: 1, deploy: [SMALLBANK], config: { blockTimeoutMs: 300, validationThreads: 1 } });
    try {
      const { outcomes } = await paymentsInOneBlock(net);
      const [a, b] = outcomes.map((o) => o.txNum);
      expect(outcomes.map((o) => o.code)).toEqual(a! < b! ? ['VALID', 'MVCC_READ_CONFLICT', 'VALID'] : ['MVCC_READ_CONFLICT', 'VALID', 'VALID']);
      expect(((await net.client.evaluate('smallbank', 'query', ['alice'])) as { checking: number }).checking).toBe(400);
      const { checksOnThreads, checksOnPrimary } = (await net.client.status()).peers[0]!.validation;
      expect(checksOnThreads! + checksOnPrimary!).toBeGreaterThanOrEqual(3);
      // Later blocks read what this one wrote, through the thread's caches too.
      await net.client.submit('smallbank', 'sendPayment', ['alice', 'dave', 400]);
      expect(((await net.client.evaluate('smallbank', 'query', ['dave'])) as { checking: number }).checking).toBe(1390);
    } finally {
      await net.close();
    }
  }, 60_000);
});
