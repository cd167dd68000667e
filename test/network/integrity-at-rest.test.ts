// Issue 13, finding 14 and the per-block state digest: peers at the same
// height agree on their state digest; a restart recomputes it from storage.
// Damage at rest (an edited storage record, an edited block, a lowered height)
// is detected on open, and the peer refuses to serve instead of serving wrong data.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@flexchain/sdk/client';
import { buildPackage, EmbeddedNetwork, LedgerDb, loadSigningIdentity } from '@flexchain/host';
import { readFileSync } from 'node:fs';
import { utf8Decode, utf8Encode } from '@flexchain/sdk';
import { CONTRACTS_DIR } from '../support/network-fixture';

describe('state digests and integrity at rest', () => {
  let dataDir: string;
  const ledgerOf = (mspId: string) => new LedgerDb(join(dataDir, 'peers', mspId));
  const start = () => EmbeddedNetwork.start({ dataDir, grpc: false, config: { blockTimeoutMs: 5 } });

  /** Opens a stopped peer's LevelDB, lets `edit` change it, and closes it. */
  async function damage(mspId: string, edit: (ledger: LedgerDb) => Promise<void>): Promise<void> {
    const ledger = ledgerOf(mspId);
    await ledger.open();
    try {
      await edit(ledger);
    } finally {
      await ledger.close();
    }
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'flexchain-integrity-'));
    const network = await EmbeddedNetwork.start({ dataDir, orgs: 2, cnodes: 1, grpc: false, config: { blockTimeoutMs: 5 } });
    const msp = join(dataDir, 'msp');
    const channelId = network.manifest.channelId;
    const admin = connect({ gateway: network.gateway, identity: loadSigningIdentity(msp, 'Org1MSP', 'admin'), channelId });
    const admin2 = connect({ gateway: network.gateway, identity: loadSigningIdentity(msp, 'Org2MSP', 'admin'), channelId });
    const client = connect({ gateway: network.gateway, identity: loadSigningIdentity(msp, 'Org1MSP', 'client'), channelId });
    const pkg = readFileSync((await buildPackage(join(CONTRACTS_DIR, 'smallbank'), { outDir: join(dataDir, 'pkg') })).file, 'utf8');
    await admin.deploy(pkg, { version: '1', policy: "OR('Org1.member', 'Org2.member')", approvers: [admin2] });
    await client.submit('smallbank', 'seedAccounts', [0, 20, 100, 100]);
    for (let i = 0; i < 5; i++) await client.submit('smallbank', 'sendPayment', [String(i), String(i + 10), 5]);
    await network.settle();
    for (const c of [admin, admin2, client]) c.close();
    await network.stop();
  }, 90_000);

  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('peers at the same height show the same digest, and a restart recomputes it from storage', async () => {
    const network = await start();
    try {
      const [a, b] = (await network.gateway.status()).peers;
      expect(a!.height).toBe(b!.height);
      expect(a!.stateDigest).toMatch(/^[0-9a-f]{64}$/);
      expect(a!.stateDigest).not.toBe('0'.repeat(64));
      expect(b!.stateDigest).toBe(a!.stateDigest);
    } finally {
      await network.stop();
    }
  }, 60_000);

  it('refuses to serve a storage-tier record edited at rest', async () => {
    let original: { key: Uint8Array; value: Uint8Array } | undefined;
    await damage('Org1MSP', async (ledger) => {
      for await (const [key, value] of ledger.tieredState.iterator()) {
        if (!utf8Decode(key).startsWith('smallbank')) continue;
        original = { key, value };
        const edited = Uint8Array.from(value);
        edited[edited.length - 1] = edited[edited.length - 1]! ^ 1;
        await ledger.tieredState.put(key, edited);
        break;
      }
    });
    expect(original).toBeDefined();
    await expect(start()).rejects.toMatchObject({ name: 'StateDigestMismatchError', message: expect.stringMatching(/Org1MSP's world state does not match the digest recorded at height \d+/) });
    await damage('Org1MSP', (ledger) => ledger.tieredState.put(original!.key, original!.value));
    await (await start()).stop();
  }, 60_000);

  it('refuses to serve a ledger whose block was edited at rest', async () => {
    let original: { key: Uint8Array; value: Uint8Array } | undefined;
    await damage('Org2MSP', async (ledger) => {
      const entries: [Uint8Array, Uint8Array][] = [];
      for await (const entry of ledger.blocks.iterator()) entries.push(entry);
      const [key, value] = entries[entries.length - 2]!;
      original = { key, value };
      const edited = Uint8Array.from(value);
      edited[edited.length - 40] = edited[edited.length - 40]! ^ 0xff;
      await ledger.blocks.put(key, edited);
    });
    await expect(start()).rejects.toMatchObject({ name: 'LedgerCorruptError', message: expect.stringMatching(/Block \d+ of .*Org2MSP is damaged: /) });
    await damage('Org2MSP', (ledger) => ledger.blocks.put(original!.key, original!.value));
    await (await start()).stop();
  }, 60_000);

  it('refuses to serve a ledger whose height was lowered at rest', async () => {
    let height = 0;
    await damage('Org1MSP', async (ledger) => {
      height = Number(utf8Decode((await ledger.meta.get(utf8Encode('height')))!));
      await ledger.meta.put(utf8Encode('height'), utf8Encode(String(height - 2)));
    });
    await expect(start()).rejects.toMatchObject({ name: 'StateDigestMismatchError' });
    await damage('Org1MSP', (ledger) => ledger.meta.put(utf8Encode('height'), utf8Encode(String(height))));
    await (await start()).stop();
  }, 60_000);
});
