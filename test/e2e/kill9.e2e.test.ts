// Issue 13: kill -9 of `flexchain up` at random points under load, ten times.
// After each restart the peer has verified its hash chain and recomputed its
// state digest (it refuses to open otherwise). At the end: every payment a
// client was told committed is on the ledger, the balances equal a model
// replayed from the transactions the ledger records as VALID, and money is
// conserved. Payments whose outcome the client never heard (cut off by a kill)
// count by what the ledger says about their tx ids.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { utf8Decode, utf8Encode } from '@flexchain/sdk';
import { connect, type FlexChainClient } from '@flexchain/sdk/client';
import { txIdOf } from '@flexchain/sdk/protocol';
import { buildPackage, LedgerDb, loadSigningIdentity } from '@flexchain/host';
import { mulberry32 } from '@flexchain/host/bench-support';
import { kill, startJson } from '../support/processes';

const KILLS = 10;
const WORKERS = 8;
const OPENING = 1000;
/** Each worker pays 1 back and forth between its own two accounts, so payments never conflict. */
const ACCOUNTS = WORKERS * 2;

interface Payment {
  readonly nonce: string;
  readonly from: number;
  readonly to: number;
  /** What the client heard: VALID, another code, or nothing (the process died first). */
  heard: string | undefined;
}

describe('kill -9 of the embedded network under load', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'flexchain-e2e-kill9-'));
  const upArgs = ['up', '--data', dataDir, '--port', '0', '--json'];
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it(
    `loses nothing committed across ${KILLS} kills`,
    async () => {
      const random = mulberry32(20261202);
      let up = await startJson(upArgs);
      const identity = () => loadSigningIdentity(join(dataDir, 'msp'), 'Org1MSP', 'client');
      const clientOf = (endpoint: string) => connect({ gateway: endpoint, identity: identity(), channelId: up.ready.channelId });
      const admin = connect({ gateway: up.ready.endpoint, identity: loadSigningIdentity(join(dataDir, 'msp'), 'Org1MSP', 'admin'), channelId: up.ready.channelId });
      const pkg = readFileSync((await buildPackage(join(__dirname, '..', '..', 'contracts', 'smallbank'), { outDir: join(dataDir, 'pkg') })).file, 'utf8');
      await admin.deploy(pkg, { version: '1', policy: "OR('Org1.member')" });
      admin.close();
      let client: FlexChainClient = clientOf(up.ready.endpoint);
      expect((await client.submit('smallbank', 'seedAccounts', [0, ACCOUNTS, OPENING, 0])).code).toBe('VALID');

      const payments: Payment[] = [];
      let generation = 0;
      let stopping = false;
      const worker = async (w: number) => {
        for (let i = 0; !stopping; i++) {
          const seenGeneration = generation;
          const [from, to] = i % 2 === 0 ? [2 * w, 2 * w + 1] : [2 * w + 1, 2 * w];
          const payment: Payment = { nonce: randomBytes(24).toString('hex'), from, to, heard: undefined };
          payments.push(payment);
          try {
            payment.heard = (await client.submit('smallbank', 'sendPayment', [String(from), String(to), 1], { nonce: payment.nonce })).code;
          } catch {
            // Cut off by a kill (or refused while the node came back): wait for the next process.
            while (!stopping && generation === seenGeneration) await new Promise((r) => setTimeout(r, 20));
          }
        }
      };
      const workers = Array.from({ length: WORKERS }, (_, w) => worker(w));

      const recoveryMs: number[] = [];
      for (let k = 0; k < KILLS; k++) {
        await new Promise((r) => setTimeout(r, 300 + random() * 1200));
        await kill(up.child, 'SIGKILL');
        const started = performance.now();
        up = await startJson(upArgs);
        recoveryMs.push(performance.now() - started);
        client.close();
        client = clientOf(up.ready.endpoint);
        generation++;
      }
      await new Promise((r) => setTimeout(r, 500));
      stopping = true;
      await Promise.all(workers);

      // Balances through the network, then the ledger's own record of every tx id.
      const balances = await Promise.all(Array.from({ length: ACCOUNTS }, async (_, a) => ((await client.evaluate('smallbank', 'query', [String(a)])) as { checking: number }).checking));
      client.close();
      await kill(up.child, 'SIGINT');
      const ledger = new LedgerDb(join(dataDir, 'peers', 'Org1MSP'));
      await ledger.open();
      const creator = { mspId: 'Org1MSP', id: 'client' };
      const codes = await ledger.txIds.getMany(payments.map((p) => utf8Encode(txIdOf(p.nonce, creator))));
      await ledger.close();

      const model = Array.from({ length: ACCOUNTS }, () => OPENING);
      let valid = 0;
      payments.forEach((p, i) => {
        const code = codes[i] === undefined ? undefined : utf8Decode(codes[i]!).split(':')[2];
        // Every payment the client was told committed is on the ledger as committed.
        if (p.heard === 'VALID') expect({ payment: i, code }).toEqual({ payment: i, code: 'VALID' });
        if (code === 'VALID') {
          model[p.from]! -= 1;
          model[p.to]! += 1;
          valid++;
        }
      });
      expect(balances).toEqual(model);
      expect(balances.reduce((a, b) => a + b, 0)).toBe(ACCOUNTS * OPENING);
      expect(valid).toBeGreaterThan(KILLS * WORKERS);

      // Opening again checks the hash chain and recomputes the state digest from storage.
      up = await startJson(upArgs);
      await kill(up.child, 'SIGINT');
      const unheard = payments.filter((p) => p.heard === undefined).length;
      const sorted = [...recoveryMs].sort((a, b) => a - b);
      console.log(`kill -9 × ${KILLS}: ${payments.length} payments, ${valid} committed, ${unheard} cut off by a kill; restart to ready (process start included) median ${Math.round(sorted[sorted.length >> 1]!)} ms, max ${Math.round(sorted.at(-1)!)} ms`);
    },
    240_000,
  );
});
