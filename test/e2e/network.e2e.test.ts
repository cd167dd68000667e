// End to end with the real binary: `flexchain up` in a temp data directory,
// deploy contracts/smallbank, invoke transfers, query balances, stop with
// Ctrl-C, start again on the same directory, and find the balances intact.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const FLEXCHAIN_BIN = join(ROOT, 'cli', 'bin', 'flexchain.js');
/** Time for `up` to print its ready line, in ms. */
const READY_TIMEOUT_MS = 30_000;

function cli(dataDir: string, ...args: string[]) {
  const result = spawnSync(FLEXCHAIN_BIN, [...args, '--data', dataDir], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function json(dataDir: string, ...args: string[]): any {
  const result = cli(dataDir, ...args, '--json');
  if (result.status !== 0) throw new Error(`flexchain ${args.join(' ')} exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
  try {
    return JSON.parse(result.stdout);
  } catch {
    throw new Error(`flexchain ${args.join(' ')} printed no JSON:\n${result.stdout}\n${result.stderr}`);
  }
}

async function up(dataDir: string, ...extra: string[]): Promise<{ child: ChildProcess; ready: { endpoint: string; height: number }; logs: () => string }> {
  const child = spawn(FLEXCHAIN_BIN, ['up', '--data', dataDir, '--port', '0', '--json', ...extra], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const ready = await new Promise<{ endpoint: string; height: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`flexchain up did not start:\n${stderr}`)), READY_TIMEOUT_MS);
    child.stdout!.on('data', (d) => {
      stdout += d;
      try {
        const parsed = JSON.parse(stdout);
        clearTimeout(timer);
        resolve(parsed);
      } catch {
        // not complete yet
      }
    });
    child.on('exit', (code) => reject(new Error(`flexchain up exited ${code}:\n${stderr}`)));
  });
  return { child, ready, logs: () => stderr };
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.on('exit', (code) => resolve(code));
    child.kill('SIGINT');
  });
}

describe('flexchain up → deploy → invoke → restart', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'flexchain-e2e-net-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it(
    'keeps committed balances across a restart',
    async () => {
      const first = await up(dataDir);
      expect(first.ready.endpoint).toMatch(/^127\.0\.0\.1:\d+$/);
      try {
        const deployed = json(dataDir, 'deploy', 'contracts/smallbank', '--version', '1.0');
        expect(deployed).toMatchObject({ name: 'smallbank', version: '1.0', sequence: 1 });

        expect(json(dataDir, 'invoke', 'smallbank', 'createAccount', 'alice', '100', '50')).toMatchObject({ code: 'VALID' });
        expect(json(dataDir, 'invoke', 'smallbank', 'createAccount', 'bob', '10', '0')).toMatchObject({ code: 'VALID' });
        expect(json(dataDir, 'invoke', 'smallbank', 'sendPayment', 'alice', 'bob', '30')).toMatchObject({ code: 'VALID' });
        expect(json(dataDir, 'invoke', 'smallbank', 'transactSavings', 'alice', '-20')).toMatchObject({ code: 'VALID' });
        expect(json(dataDir, 'query', 'smallbank', 'query', 'alice')).toEqual({ result: { checking: 70, savings: 30 } });
        expect(json(dataDir, 'query', 'smallbank', 'query', 'bob')).toEqual({ result: { checking: 40, savings: 0 } });

        const refused = cli(dataDir, 'invoke', 'smallbank', 'sendPayment', 'bob', 'alice', '1000');
        expect(refused.status).toBe(1);
        expect(refused.stderr).toContain('insufficient funds: checking of bob is 40, cannot send 1000');
        expect(refused.stderr).toMatch(/src\/index\.ts:\d+:\d+/);

        const badArg = cli(dataDir, 'invoke', 'smallbank', 'depositChecking', 'bob', 'ten');
        expect(badArg.status).toBe(1);
        expect(badArg.stderr).toContain('Argument "amount" of transaction "depositChecking" must be an integer >= 1');

        const badPolicy = cli(dataDir, 'deploy', 'contracts/ycsb', '--policy', "AND('Org1.member'");
        expect(badPolicy.status).toBe(1);
        expect(badPolicy.stderr).toContain('Error (Checking the endorsement policy): Endorsement policy is invalid at character 18: expected ")".');
        const hazardous = cli(dataDir, 'deploy', 'cli/test-fixtures/hazardous');
        expect(hazardous.status).toBe(1);
        expect(hazardous.stdout).toContain('src/contract.ts:18:15  error    `Math.random()` differs on every endorser.');
        expect(hazardous.stderr).toContain('Error (Checking determinism): 19 determinism error(s)');

        const status = json(dataDir, 'status');
        expect(status.contracts).toEqual([expect.objectContaining({ name: 'smallbank', version: '1.0' })]);
        expect(status.peers[0].committedValid).toBeGreaterThanOrEqual(5);
      } finally {
        expect(await stop(first.child)).toBe(0);
      }
      expect(first.logs()).toContain('network stopped');

      const second = await up(dataDir);
      try {
        expect(second.ready.height).toBeGreaterThanOrEqual(6);
        expect(json(dataDir, 'query', 'smallbank', 'query', 'alice')).toEqual({ result: { checking: 70, savings: 30 } });
        expect(json(dataDir, 'query', 'smallbank', 'query', 'bob')).toEqual({ result: { checking: 40, savings: 0 } });
        expect(json(dataDir, 'invoke', 'smallbank', 'depositChecking', 'bob', '2')).toMatchObject({ code: 'VALID', blockNum: second.ready.height });
        expect(json(dataDir, 'query', 'smallbank', 'query', 'bob')).toEqual({ result: { checking: 42, savings: 0 } });
      } finally {
        expect(await stop(second.child)).toBe(0);
      }
    },
    180_000,
  );

  it(
    'works with a remote memory budget far smaller than the data set, and recovers it after a restart',
    async () => {
      const tightDir = mkdtempSync(join(tmpdir(), 'flexchain-e2e-tight-'));
      // 4 MiB of remote memory, but eviction keeps all but 64 KiB free: ~1,000 records fit, the data set is 4,000.
      const tight = ['--remote-memory', '4MiB', '--evict-below', `${4 * 1024 - 64}KiB`];
      const first = await up(tightDir, ...tight);
      try {
        json(tightDir, 'deploy', 'contracts/smallbank', '--version', '1.0');
        expect(json(tightDir, 'invoke', 'smallbank', 'seedAccounts', '0', '1000', '500', '100')).toMatchObject({ code: 'VALID' });
        expect(json(tightDir, 'invoke', 'smallbank', 'seedAccounts', '1000', '1000', '500', '100')).toMatchObject({ code: 'VALID' });
        expect(json(tightDir, 'invoke', 'smallbank', 'sendPayment', '7', '1999', '250')).toMatchObject({ code: 'VALID' });
        expect(json(tightDir, 'query', 'smallbank', 'query', '7')).toEqual({ result: { checking: 250, savings: 100 } });
        const { worldState } = json(tightDir, 'status').peers[0];
        expect(worldState).toMatchObject({ kind: 'disaggregated', memoryBudgetBytes: 4 * 1024 * 1024 });
        expect(worldState.evictedKeys).toBeGreaterThan(2000);
        expect(worldState.memoryUsedBytes).toBeLessThan(256 * 1024);
      } finally {
        expect(await stop(first.child)).toBe(0);
      }
      const second = await up(tightDir, ...tight);
      try {
        expect(json(tightDir, 'query', 'smallbank', 'query', '7')).toEqual({ result: { checking: 250, savings: 100 } });
        expect(json(tightDir, 'query', 'smallbank', 'query', '1999')).toEqual({ result: { checking: 750, savings: 100 } });
        expect(json(tightDir, 'query', 'smallbank', 'query', '1234')).toEqual({ result: { checking: 500, savings: 100 } });
        expect(json(tightDir, 'status').peers[0].worldState.storageReadShare).toBeGreaterThan(0);
      } finally {
        expect(await stop(second.child)).toBe(0);
        rmSync(tightDir, { recursive: true, force: true });
      }
    },
    180_000,
  );

  it('commands say what to do when no network is running there', () => {
    const empty = mkdtempSync(join(tmpdir(), 'flexchain-e2e-empty-'));
    const result = cli(empty, 'query', 'smallbank', 'query', 'alice');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`No network in ${empty}.`);
    expect(result.stderr).toContain('Start one with `flexchain up`');
    rmSync(empty, { recursive: true, force: true });
  });
});
