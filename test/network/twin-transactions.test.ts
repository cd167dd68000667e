// Issue 13, finding 8: a twin of a client's transaction (same tx id, sent by
// someone else, failing V1) misreported statuses. Just before the victim in a
// block, the victim was told the twin's code though its payment committed (so a
// retry pays twice); just after, the forger was told VALID and the tx-id index
// pointed at the forgery. A commit status is now the one of the envelope that
// was submitted, and a twin never takes a tx id from its owner. Finding 9: a
// submit whose response does not decode is refused before it is ordered.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createProposal, type FlexChainClient } from '@flexchain/sdk/client';
import { encodeTransaction, Signer, type Endorsement, type Signed } from '@flexchain/sdk/protocol';
import { buildPackage, EmbeddedNetwork, loadSigningIdentity, type SigningIdentity } from '@flexchain/host';

const SMALLBANK = join(__dirname, '..', '..', 'contracts', 'smallbank');

describe('twins of a transaction', () => {
  let dataDir: string;
  let network: EmbeddedNetwork;
  let client: FlexChainClient;
  let admin: FlexChainClient;
  let me: SigningIdentity;
  let forger: SigningIdentity;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'flexchain-twins-'));
    // Blocks wait long enough for a victim and its twin to share one.
    network = await EmbeddedNetwork.start({ dataDir, orgs: 1, cnodes: 1, grpc: false, config: { blockTimeoutMs: 300 } });
    const msp = join(dataDir, 'msp');
    me = loadSigningIdentity(msp, 'Org1MSP', 'client');
    forger = loadSigningIdentity(msp, 'Org1MSP', 'admin');
    const channelId = network.manifest.channelId;
    admin = connect({ gateway: network.gateway, identity: loadSigningIdentity(msp, 'Org1MSP', 'admin'), channelId });
    client = connect({ gateway: network.gateway, identity: me, channelId });
    const packageJson = readFileSync((await buildPackage(SMALLBANK, { outDir: join(dataDir, 'pkg') })).file, 'utf8');
    await admin.deploy(packageJson, { version: '1', policy: "OR('Org1.member')" });
    await client.submit('smallbank', 'createAccount', ['victim', 0, 0]);
  }, 60_000);

  afterAll(async () => {
    admin.close();
    client.close();
    await network.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function endorsed(fn: string, args: unknown[]) {
    const { proposal, payload: proposalBytes } = createProposal({ channelId: network.manifest.channelId, creator: { mspId: me.mspId, id: me.id }, contract: 'smallbank', fn, args });
    const signed: Signed = { payload: proposalBytes, signature: new Signer(me.privateKey).sign(proposalBytes) };
    const { response, endorsements } = await network.gateway.endorse(signed);
    return { proposal, proposalBytes, response, endorsements };
  }

  function envelope(parts: { proposalBytes: Uint8Array; response: Uint8Array; endorsements: readonly Endorsement[] }, signWith: SigningIdentity): Signed {
    const payload = encodeTransaction({ proposal: parts.proposalBytes, response: parts.response, endorsements: parts.endorsements });
    return { payload, signature: new Signer(signWith.privateKey).sign(payload) };
  }

  const checking = async () => ((await client.evaluate('smallbank', 'query', ['victim'])) as { checking: number }).checking;

  it.each([
    ['just before the victim in its block', true],
    ['just after the victim in its block', false],
  ])('a twin %s: each hears its own status, and the tx id is the victim’s', async (_, twinFirst) => {
    const before = await checking();
    const tx = await endorsed('depositChecking', ['victim', 10]);
    const victim = envelope(tx, me);
    const twin = envelope(tx, forger);
    const [first, second] = twinFirst ? [twin, victim] : [victim, twin];
    const heightBefore = network.orderer.height;
    const submitted = [network.gateway.submit(first), network.gateway.submit(second)];
    const [a, b] = await Promise.all(submitted);
    const [victimStatus, twinStatus] = twinFirst ? [b!, a!] : [a!, b!];
    expect(victimStatus.blockNum).toBe(twinStatus.blockNum);
    expect(network.orderer.height).toBe(heightBefore + 1);
    expect(victimStatus.code).toBe('VALID');
    expect(twinStatus.code).toBe('BAD_CREATOR_SIGNATURE');
    expect(await checking()).toBe(before + 10);
    expect(await network.peers[0]!.txStatus(tx.proposal.txId)).toEqual({ blockNum: victimStatus.blockNum, txNum: victimStatus.txNum, code: 'VALID' });
  });

  it('a twin committed in an earlier block does not make the victim a duplicate', async () => {
    const before = await checking();
    const tx = await endorsed('depositChecking', ['victim', 7]);
    expect(await network.gateway.submit(envelope(tx, forger))).toMatchObject({ code: 'BAD_CREATOR_SIGNATURE' });
    expect(await network.gateway.submit(envelope(tx, me))).toMatchObject({ code: 'VALID' });
    expect(await checking()).toBe(before + 7);
    // Now the victim owns it: a replay is a duplicate, answered without ordering.
    const height = network.orderer.height;
    expect(await network.gateway.submit(envelope(tx, me))).toMatchObject({ code: 'DUPLICATE_TXID' });
    expect(network.orderer.height).toBe(height);
  });

  it('refuses, before ordering, a submit whose response does not decode or answers another proposal', async () => {
    const tx = await endorsed('depositChecking', ['victim', 1]);
    const other = await endorsed('depositChecking', ['victim', 2]);
    const height = network.orderer.height;
    const garbage = new Uint8Array([0xff, 1, 2, 3]);
    await expect(network.gateway.submit(envelope({ ...tx, response: garbage }, me))).rejects.toThrow(/endorsed response of transaction \w+ does not decode/);
    await expect(network.gateway.submit(envelope({ ...tx, response: other.response }, me))).rejects.toThrow(/endorsed response is for transaction/);
    await new Promise((r) => setTimeout(r, 400));
    expect(network.orderer.height).toBe(height);
  });
});

// Issue 13, finding 10: proposals dated 1900 and 2300 were committed VALID.
describe('proposal timestamps', () => {
  let dataDir: string;
  let network: EmbeddedNetwork;
  let me: SigningIdentity;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'flexchain-dated-'));
    network = await EmbeddedNetwork.start({ dataDir, orgs: 1, cnodes: 1, grpc: false, config: { blockTimeoutMs: 10, proposalClockSkewMs: 60_000 } });
    me = loadSigningIdentity(join(dataDir, 'msp'), 'Org1MSP', 'client');
  }, 60_000);

  afterAll(async () => {
    await network.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const dated = (atMs: number): Signed => {
    const { payload } = createProposal({ channelId: network.manifest.channelId, creator: { mspId: me.mspId, id: me.id }, contract: '_lifecycle', fn: 'approve', args: [], timestamp: new Date(atMs) });
    return { payload, signature: new Signer(me.privateKey).sign(payload) };
  };

  it.each([
    ['1900', Date.UTC(1900, 0, 1), /dated 1900-01-01T00:00:00\.000Z, \d+ s behind this node's clock; the limit is proposalClockSkewMs \(60000 ms\)/],
    ['2300', Date.UTC(2300, 0, 1), /dated 2300-01-01T00:00:00\.000Z, \d+ s ahead of this node's clock/],
    ['two minutes ago', Date.now() - 120_000, /\d{3} s behind/],
  ])('refuses a proposal dated %s at endorsement', async (_, atMs, message) => {
    await expect(network.gateway.endorse(dated(atMs))).rejects.toThrow(message);
  });

  it('takes one dated within the window (it then fails for its own reasons, not its date)', async () => {
    await expect(network.gateway.endorse(dated(Date.now() - 30_000))).rejects.not.toThrow(/proposalClockSkewMs/);
  });
});
