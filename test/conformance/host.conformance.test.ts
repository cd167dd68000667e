// The stub conformance suite against a real network: the contract is bundled
// and runs in isolated-vm on cNodes; proposals are signed, endorsed, ordered
// by the solo orderer, validated (V1 signatures and policy, V2/V3 MVCC) and
// committed to LevelDB. Only the block boundaries are chosen by the test.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromJsonBytes, typeFromDescriptor, type IdentityInfo } from '@flexchain/sdk';
import { connect, createProposal } from '@flexchain/sdk/client';
import { decodeResponse, encodeTransaction, Signer, type Signed } from '@flexchain/sdk/protocol';
import { buildPackage, createOrganisations, DEFAULT_TIERED_STATE_LIMITS, EmbeddedNetwork, enrollIdentity, loadSigningIdentity, MemoryNode, MemoryNodeServer, type HostConfigOverrides, type SigningIdentity } from '@flexchain/host';
import { describeStubConformance, type ConformanceSimulation, type ConformanceTarget } from './stub-conformance';

/** Each test starts a two-organisation network (and, over TCP, two memory nodes); give it time under a loaded CI machine. */
jest.setTimeout(30_000);

interface HostSimulation extends ConformanceSimulation {
  readonly envelope: Signed;
}

/** Bundling is the slow part of set-up, so the package is built once. */
let packageJson: Promise<string> | undefined;
const conformancePackage = () =>
  (packageJson ??= (async () => {
    const out = mkdtempSync(join(tmpdir(), 'flexchain-conformance-pkg-'));
    const built = await buildPackage(__dirname, { entry: 'conformance-contract.ts', outDir: out });
    return JSON.stringify(built.pkg);
  })());

/** Room for about 256 bytes of records: eviction runs after nearly every block, so most reads come from storage. */
const TIGHT_MEMORY: HostConfigOverrides = {
  worldState: 'disaggregated',
  tieredState: { slabBytes: 1280 * 1024, memoryBudgetBytes: 2560 * 1024, evictionFreeBytesMin: 2560 * 1024 - 256, evictionBatchKeys: 8, localCacheBytesMax: 4096, metadataEntriesMax: 8 },
};

/** Keys evicted and reads served by storage across the tight-memory run, to show it really ran out of memory. */
const tightMemoryTotals = { runs: 0, evictedKeys: 0, storageReadShareMax: 0 };
afterAll(() => {
  if (tightMemoryTotals.runs === 0) return; // filtered out with -t
  expect(tightMemoryTotals.evictedKeys).toBeGreaterThan(20);
  expect(tightMemoryTotals.storageReadShareMax).toBeGreaterThan(0.2);
});

/** Marks the variant whose peers reach their memory nodes over TCP. */
const OVER_TCP: HostConfigOverrides = { worldState: 'disaggregated' };

for (const [label, config] of [
  ['host: sandbox, XOV pipeline, disaggregated store with tight remote memory', TIGHT_MEMORY],
  ['host: sandbox, XOV pipeline, disaggregated store, memory nodes over TCP', OVER_TCP],
  ['host: sandbox, XOV pipeline, LevelDB world state (generic XOV)', { worldState: 'leveldb' }],
] as [string, HostConfigOverrides][]) {
describeStubConformance(label, async (): Promise<ConformanceTarget> => {
  const dataDir = mkdtempSync(join(tmpdir(), 'flexchain-conformance-'));
  const msp = join(dataDir, 'msp');
  // Identities are made before the network starts so they are in its membership.
  createOrganisations(msp, 2);
  enrollIdentity(msp, { mspId: 'Org2MSP', id: 'auditor', role: 'client', attributes: { department: 'audit' } });
  const mnodes = config === OVER_TCP ? await Promise.all([0, 1].map(async () => new MemoryNodeServer(new MemoryNode(DEFAULT_TIERED_STATE_LIMITS)))) : [];
  const endpoints = await Promise.all(mnodes.map(async (server) => `127.0.0.1:${await server.listen(0)}`));
  const network = await EmbeddedNetwork.start({
    dataDir,
    orgs: 2,
    cnodes: 2,
    grpc: false,
    // The suite dates proposals years away (the same dates the mock gets); endorsers here accept them.
    config: { ...config, blockTimeoutMs: 10, blockTxCountMax: 10_000, proposalClockSkewMs: 100 * 365 * 24 * 3600 * 1000 },
    ...(endpoints.length ? { mnodes: endpoints } : {}),
  });
  const channelId = network.manifest.channelId;
  const identities = new Map<string, SigningIdentity>();
  const identity = (who: IdentityInfo | undefined) => {
    const key = who ? `${who.mspId}/${who.id}` : 'Org1MSP/client';
    if (!identities.has(key)) identities.set(key, loadSigningIdentity(msp, ...(key.split('/') as [string, string])));
    return identities.get(key)!;
  };
  const admin = connect({ gateway: network.gateway, identity: identity({ mspId: 'Org1MSP', id: 'admin' }), channelId });
  const pkg = await conformancePackage();
  const admin2 = connect({ gateway: network.gateway, identity: identity({ mspId: 'Org2MSP', id: 'admin' }), channelId });
  const deployed = await admin.deploy(pkg, { version: '1', policy: "AND('Org1.member', 'Org2.member')", approvers: [admin2] });
  admin2.close();
  const metadata = JSON.parse(pkg).metadata as { transactions: { name: string; returns?: Parameters<typeof typeFromDescriptor>[0] }[] };
  const contract = deployed.name;
  const peer = network.peers[0]!;

  const simulate: ConformanceTarget['simulate'] = async (fn, args, options = {}) => {
    const signer = identity(options.as);
    const { proposal, payload: proposalBytes } = createProposal({
      channelId,
      creator: { mspId: signer.mspId, id: signer.id },
      contract,
      fn,
      args,
      ...(options.timestamp ? { timestamp: options.timestamp } : {}),
      ...(options.txId ? { nonce: options.txId } : {}),
    });
    const key = new Signer(signer.privateKey);
    const endorsed = await network.gateway.endorse({ payload: proposalBytes, signature: key.sign(proposalBytes) });
    const response = decodeResponse(endorsed.response);
    const returns = metadata.transactions.find((t) => t.name === fn)?.returns;
    const wire = response.payload.length === 0 ? undefined : fromJsonBytes(response.payload);
    const payload = encodeTransaction({ proposal: proposalBytes, response: endorsed.response, endorsements: endorsed.endorsements });
    const simulation: HostSimulation = {
      txId: proposal.txId,
      result: wire === undefined || !returns ? wire : typeFromDescriptor(returns).check(wire),
      rwset: response.rwset,
      events: response.events,
      envelope: { payload, signature: key.sign(payload) },
    };
    return simulation;
  };

  // Broadcasting does no I/O, so the orderer's timer cannot fire between these envelopes: they form one block.
  const commit: ConformanceTarget['commit'] = async (...txs) => {
    const blockNum = network.orderer.height;
    for (const tx of txs) await network.orderer.broadcast((tx as HostSimulation).envelope);
    await network.settle();
    const stored = (await peer.block(blockNum))!;
    return stored.codes.map((code, txNum) => ({ txId: txs[txNum]!.txId, code, blockNum, txNum }));
  };

  return {
    channelId,
    simulate,
    commit,
    seed: async (entries) => {
      const puts = await Promise.all(Object.entries(entries).map(([k, v]) => simulate('put', [k, v])));
      const receipts = await commit(...puts);
      if (receipts.some((r) => r.code !== 'VALID')) throw new Error(`seeding failed: ${receipts.map((r) => r.code).join(', ')}`);
    },
    committed: async (key) => {
      const entry = await peer.state(contract).get(key);
      return entry && { value: new Uint8Array(entry.value), version: entry.version };
    },
    close: async () => {
      if (config === TIGHT_MEMORY) {
        const stats = peer.stats().worldState;
        tightMemoryTotals.runs++;
        tightMemoryTotals.evictedKeys += stats.evictedKeys ?? 0;
        tightMemoryTotals.storageReadShareMax = Math.max(tightMemoryTotals.storageReadShareMax, stats.storageReadShare ?? 0);
      }
      admin.close();
      await network.stop();
      await Promise.all(mnodes.map((server) => server.close()));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
});
}
