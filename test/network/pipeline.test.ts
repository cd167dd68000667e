// The XOV pipeline's verdicts, each with its Fabric code: a forged creator
// signature, an unmet endorsement policy, a tampered endorsement, a duplicate tx
// id (across blocks and within one), an MVCC conflict, and an upgrade that
// leaves older endorsements behind.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createProposal, type FlexChainClient } from '@flexchain/sdk/client';
import { encodeTransaction, Signer, type Endorsement, type Signed } from '@flexchain/sdk/protocol';
import { buildPackage, EmbeddedNetwork, loadSigningIdentity, type SigningIdentity } from '@flexchain/host';

const SMALLBANK = join(__dirname, '..', '..', 'contracts', 'smallbank');

describe('XOV pipeline validity codes', () => {
  let dataDir: string;
  let network: EmbeddedNetwork;
  let client: FlexChainClient;
  let admin: FlexChainClient;
  let admin2: FlexChainClient;
  let me: SigningIdentity;
  let packageJson: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'flexchain-pipeline-'));
    network = await EmbeddedNetwork.start({ dataDir, orgs: 2, cnodes: 1, grpc: false, config: { blockTimeoutMs: 10 } });
    const msp = join(dataDir, 'msp');
    me = loadSigningIdentity(msp, 'Org1MSP', 'client');
    const channelId = network.manifest.channelId;
    admin = connect({ gateway: network.gateway, identity: loadSigningIdentity(msp, 'Org1MSP', 'admin'), channelId });
    admin2 = connect({ gateway: network.gateway, identity: loadSigningIdentity(msp, 'Org2MSP', 'admin'), channelId });
    client = connect({ gateway: network.gateway, identity: me, channelId });
    packageJson = readFileSync((await buildPackage(SMALLBANK, { outDir: join(dataDir, 'pkg') })).file, 'utf8');
    await admin.deploy(packageJson, { version: '1', policy: "AND('Org1.member', 'Org2.member')", approvers: [admin2] });
    await client.submit('smallbank', 'createAccount', ['alice', 1000, 0]);
    await client.submit('smallbank', 'createAccount', ['bob', 0, 0]);
  }, 60_000);

  afterAll(async () => {
    admin.close();
    admin2.close();
    client.close();
    await network.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Proposal signed by `me`, endorsed through the gateway. */
  async function endorsed(fn: string, args: unknown[], nonce?: string) {
    const { proposal, payload: proposalBytes } = createProposal({ channelId: network.manifest.channelId, creator: { mspId: me.mspId, id: me.id }, contract: 'smallbank', fn, args, ...(nonce ? { nonce } : {}) });
    const signed: Signed = { payload: proposalBytes, signature: new Signer(me.privateKey).sign(proposalBytes) };
    const { response, endorsements } = await network.gateway.endorse(signed);
    return { proposal, proposalBytes, response, endorsements };
  }

  function envelope(parts: { proposalBytes: Uint8Array; response: Uint8Array; endorsements: readonly Endorsement[] }, signWith = me): Signed {
    const payload = encodeTransaction({ proposal: parts.proposalBytes, response: parts.response, endorsements: parts.endorsements });
    return { payload, signature: new Signer(signWith.privateKey).sign(payload) };
  }

  const balance = async (id: string) => (await client.evaluate('smallbank', 'query', [id])) as { checking: number };

  it('commits a properly endorsed transaction as VALID', async () => {
    const tx = await endorsed('depositChecking', ['bob', 5]);
    expect(tx.endorsements.map((e) => e.endorser.mspId)).toEqual(['Org1MSP', 'Org2MSP']);
    expect(await network.gateway.submit(envelope(tx))).toMatchObject({ code: 'VALID' });
    expect((await balance('bob')).checking).toBe(5);
  });

  it('a transaction signed with someone else’s key is BAD_CREATOR_SIGNATURE', async () => {
    const forger = loadSigningIdentity(join(dataDir, 'msp'), 'Org2MSP', 'client');
    const tx = await endorsed('depositChecking', ['bob', 100]);
    expect(await network.gateway.submit(envelope(tx, forger))).toMatchObject({ code: 'BAD_CREATOR_SIGNATURE' });
    expect((await balance('bob')).checking).toBe(5);
  });

  it('endorsements that do not satisfy the policy are ENDORSEMENT_POLICY_FAILURE', async () => {
    const tx = await endorsed('depositChecking', ['bob', 100]);
    const onlyOrg1 = tx.endorsements.filter((e) => e.endorser.mspId === 'Org1MSP');
    expect(await network.gateway.submit(envelope({ ...tx, endorsements: onlyOrg1 }))).toMatchObject({ code: 'ENDORSEMENT_POLICY_FAILURE' });
    // A second copy of one endorsement does not count twice.
    const again = await endorsed('depositChecking', ['bob', 100]);
    const org1 = again.endorsements.find((e) => e.endorser.mspId === 'Org1MSP')!;
    expect(await network.gateway.submit(envelope({ ...again, endorsements: [org1, org1] }))).toMatchObject({ code: 'ENDORSEMENT_POLICY_FAILURE' });
  });

  it('a response altered after endorsement is ENDORSEMENT_POLICY_FAILURE (signatures no longer cover it)', async () => {
    const tx = await endorsed('depositChecking', ['bob', 1]);
    const tampered = new TextEncoder().encode(new TextDecoder().decode(tx.response).replace('"checking:bob"', '"checking:eve"'));
    expect(await network.gateway.submit(envelope({ ...tx, response: tampered }))).toMatchObject({ code: 'ENDORSEMENT_POLICY_FAILURE' });
  });

  it('a tx id already on the ledger is DUPLICATE_TXID, and so is the second copy within one block', async () => {
    const tx = await endorsed('depositChecking', ['bob', 1], 'ab'.repeat(24));
    expect(await network.gateway.submit(envelope(tx))).toMatchObject({ code: 'VALID' });
    const replay = await endorsed('depositChecking', ['bob', 1], 'ab'.repeat(24));
    expect(await network.gateway.submit(envelope(replay))).toMatchObject({ code: 'DUPLICATE_TXID' });

    const twin = await endorsed('depositChecking', ['bob', 1], 'cd'.repeat(24));
    const height = network.orderer.height;
    await network.orderer.broadcast(envelope(twin));
    await network.orderer.broadcast(envelope(twin));
    await network.settle();
    expect((await network.peers[0]!.block(height))!.codes).toEqual(['VALID', 'DUPLICATE_TXID']);
    expect((await balance('bob')).checking).toBe(7);
  });

  it('two payments from one balance: the second is MVCC_READ_CONFLICT and money is conserved', async () => {
    const first = await endorsed('sendPayment', ['alice', 'bob', 600]);
    const second = await endorsed('sendPayment', ['alice', 'bob', 600]);
    const [a, b] = await Promise.all([network.gateway.submit(envelope(first)), network.gateway.submit(envelope(second))]);
    expect([a.code, b.code].sort()).toEqual(['MVCC_READ_CONFLICT', 'VALID']);
    expect((await balance('alice')).checking + (await balance('bob')).checking).toBe(1007);
  });

  it('every read after a commit sees it: sandbox read caches forget what each block wrote', async () => {
    // Each peer's sandbox process has read bob by now; a stale cached read would show here, or abort the next deposit as MVCC_READ_CONFLICT.
    let expected = (await balance('bob')).checking;
    for (let i = 0; i < 8; i++) {
      expect(await client.submit('smallbank', 'depositChecking', ['bob', 1])).toMatchObject({ code: 'VALID' });
      expected += 1;
      expect((await balance('bob')).checking).toBe(expected);
    }
    // Status counts the reads each sandbox process's cache answered and those it sent on; each deposit read bob afresh.
    const reads = (await client.status()).peers.flatMap((p) => p.cnodes.map((c) => c.sandboxReads ?? { hits: 0, misses: 0 }));
    expect(reads.reduce((n, r) => n + r.misses, 0)).toBeGreaterThanOrEqual(8);
    expect(reads.every((r) => Number.isSafeInteger(r.hits) && r.hits >= 0)).toBe(true);
  });

  it('an upgrade activates the new package; endorsements made with the old one become INVALID_CHAINCODE', async () => {
    const stale = await endorsed('depositChecking', ['bob', 1]);
    const v2 = JSON.parse(packageJson) as { code: string };
    v2.code += '\n// version 2\n';
    const upgraded = await admin.deploy(JSON.stringify(v2), { version: '2', policy: "OR('Org1.member', 'Org2.member')", approvers: [admin2] });
    expect(upgraded).toMatchObject({ code: 'VALID', sequence: 2 });
    expect(upgraded.packageId).not.toBe(JSON.parse(new TextDecoder().decode(stale.response)).packageId);
    expect(await network.gateway.submit(envelope(stale))).toMatchObject({ code: 'INVALID_CHAINCODE' });
    expect(await client.submit('smallbank', 'depositChecking', ['bob', 1])).toMatchObject({ code: 'VALID' });
    const status = await client.status();
    expect(status.contracts.find((c) => c.name === 'smallbank')).toMatchObject({ version: '2', sequence: 2, policy: "OR('Org1.member', 'Org2.member')" });
  });

  it('only an admin may activate contracts', async () => {
    const installed = (await client.status()).contracts.find((c) => c.name === 'smallbank')!;
    await expect(client.submit('_lifecycle', 'activate', [{ name: 'smallbank', version: '9', packageId: installed.packageId, policy: "OR('Org1.member')" }])).rejects.toThrow('Only organisation admins may activate contracts; Org1MSP/client is not one.');
    await expect(admin.submit('_lifecycle', 'activate', [{ name: 'ycsb', version: '1', packageId: installed.packageId, policy: "OR('Org1.member')" }])).rejects.toThrow(/holds contract smallbank, not ycsb/);
    await expect(client.install(packageJson)).rejects.toThrow(/Only an organisation admin may install contracts/);
  });

  it("one organisation's admin cannot replace another's contract: activation needs a majority of approvals", async () => {
    const v3 = JSON.parse(packageJson) as { code: string };
    v3.code += '\n// Org2 alone\n';
    const installed = await admin2.install(JSON.stringify(v3));
    const definition = { name: 'smallbank', version: 'org2-only', packageId: installed.packageId, policy: "OR('Org2.member')" };
    await expect(admin2.submit('_lifecycle', 'activate', [definition])).rejects.toThrow(/needs the approval of 2 of 2 organisations; none approved/);
    expect(await admin2.approve(definition)).toMatchObject({ code: 'VALID' });
    await expect(admin2.submit('_lifecycle', 'activate', [definition])).rejects.toThrow(/needs the approval of 2 of 2 organisations; only Org2MSP approved/);
    // Org1's approval of another definition does not count for this one.
    expect(await admin.approve({ ...definition, policy: "OR('Org1.member')" })).toMatchObject({ code: 'VALID' });
    await expect(admin2.submit('_lifecycle', 'activate', [definition])).rejects.toThrow(/only Org2MSP approved/);
    expect((await client.status()).contracts.find((c) => c.name === 'smallbank')).toMatchObject({ version: '2' });
  });
});
