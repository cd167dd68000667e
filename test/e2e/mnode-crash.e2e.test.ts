// Crash and recovery with real processes over the TCP transport: a memory node
// process (`flexchain node --role mnode`) serves the peer of `flexchain up`.
// We kill the memory node mid-workload and bring it back, then kill the peer's
// process (its cNodes) mid-workload and bring that back; the committed
// balances are exactly what the committed transactions say, every time.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FLEXCHAIN_BIN, kill, ROOT, startJson } from '../support/processes';

const ACCOUNTS = 20;
const OPENING = 1000;

describe('memory node and cNode crashes over TCP, with real processes', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'flexchain-e2e-mnode-'));
  const cli = (...args: string[]) => spawnSync(FLEXCHAIN_BIN, [...args, '--data', dataDir], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 });
  const invoke = (...args: string[]) => {
    const r = cli('invoke', 'smallbank', ...args, '--json');
    return r.status === 0 ? (JSON.parse(r.stdout) as { code: string }) : { code: 'FAILED', error: r.stderr };
  };
  const checking = (account: number) => (JSON.parse(cli('query', 'smallbank', 'query', String(account), '--json').stdout) as { result: { checking: number } }).result.checking;

  /** Balances the committed payments imply. */
  const expected = Array.from({ length: ACCOUNTS }, () => OPENING);
  let round = 0;
  /** Sends 1 along a ring of accounts, recording only payments that committed. */
  const pay = (count: number) => {
    for (let i = 0; i < count; i++, round++) {
      const from = round % ACCOUNTS;
      const to = (round * 7 + 3) % ACCOUNTS === from ? (from + 1) % ACCOUNTS : (round * 7 + 3) % ACCOUNTS;
      const result = invoke('sendPayment', String(from), String(to), '1');
      if (result.code === 'VALID') {
        expected[from]! -= 1;
        expected[to]! += 1;
      }
    }
  };
  const expectBalances = () => {
    for (const a of [0, 3, 7, 10, 19]) expect([a, checking(a)]).toEqual([a, expected[a]]);
  };

  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it(
    'recovers the committed state after each crash',
    async () => {
      let mnode = await startJson(['node', '--role', 'mnode', '--port', '0', '--remote-memory', '8MiB', '--json']);
      const endpoint: string = mnode.ready.endpoint;
      const port = endpoint.split(':')[1]!;
      const upArgs = ['up', '--data', dataDir, '--port', '0', '--json', '--mnode', endpoint, '--remote-memory', '8MiB'];
      let up = await startJson(upArgs);
      try {
        expect(cli('deploy', 'contracts/smallbank', '--version', '1.0').status).toBe(0);
        expect(invoke('seedAccounts', '0', String(ACCOUNTS), String(OPENING), '0').code).toBe('VALID');
        pay(8);
        expectBalances();

        // The memory node dies. The peer notices, keeps retrying, and recovers once it is back.
        await kill(mnode.child, 'SIGKILL');
        // Its outcome is unknown to the client: endorsed from the cNode caches, it may commit once memory is back
        // (the client sees CommitTimeoutError). It deposits to account 1, whose balance the checks below do not read.
        const during = invoke('depositChecking', '1', '1');
        expect(during.code).toBe('FAILED');
        mnode = await startJson(['node', '--role', 'mnode', '--port', port, '--remote-memory', '8MiB', '--json']);
        let recovered = false;
        for (let attempt = 0; attempt < 50 && !recovered; attempt++) {
          recovered = invoke('depositChecking', '19', '5').code === 'VALID';
          if (!recovered) await new Promise((r) => setTimeout(r, 200));
        }
        expect(recovered).toBe(true);
        expected[19]! += 5;
        expect(up.logs()).toContain('remote memory lost');
        pay(8);
        expectBalances();

        // The peer's process (its cNodes) dies mid-workload; the memory node keeps running.
        await kill(up.child, 'SIGKILL');
        up = await startJson(upArgs);
        expectBalances();
        pay(6);
        expectBalances();
        const status = JSON.parse(cli('status', '--json').stdout);
        expect(status.peers[0].worldState).toMatchObject({ kind: 'disaggregated' });
      } finally {
        await kill(up.child, 'SIGINT');
        await kill(mnode.child, 'SIGINT');
      }
    },
    240_000,
  );
});
