// Two endorsers on hosts with different TZ and LANG must compute the same
// result (finding 8 of issue 11): the sandbox runs in UTC with one locale.
// Each endorser here is a separate Node process running the real executor.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rawPackage } from '../support/raw-package';

const HOST_DIST = join(__dirname, '..', '..', 'host', 'dist', 'index.js');
const PROTOCOL_DIST = join(__dirname, '..', '..', 'sdk', 'dist', 'protocol', 'index.js');

const probe = `async (req, host, { json }) => ({ payload: json([
  String(Date()), new Date(0).toString(), new Date(0).toTimeString(), new Date(0).getHours(), new Date(0).getTimezoneOffset(),
  new Date('2020-01-01 00:00').getTime(), new Date(0).toLocaleString(), (1234.5).toLocaleString(), 12345678901234567890n.toLocaleString(),
  Intl.DateTimeFormat().resolvedOptions().locale, Intl.DateTimeFormat().resolvedOptions().timeZone, new Intl.NumberFormat().format(0.5),
  ['b', 'a', 'ä', 'z', 'B'].sort((x, y) => x.localeCompare(y)), 'i'.toLocaleUpperCase(), new Date(0).toLocaleDateString(),
]) })`;

function endorseIn(env: Record<string, string>, packageFile: string): string {
  const script = `
    const { ContractExecutor, parsePackage, resolveHostConfig } = require(${JSON.stringify(HOST_DIST)});
    const { newProposal } = require(${JSON.stringify(PROTOCOL_DIST)});
    const pkg = parsePackage(require('node:fs').readFileSync(${JSON.stringify(packageFile)}, 'utf8'), 'probe');
    const executor = new ContractExecutor(pkg, resolveHostConfig(), () => undefined);
    const proposal = newProposal({ channelId: 'c', contract: 'probe', fn: 'probe', args: [], creator: { mspId: 'Org1MSP', id: 'client' }, timestamp: { seconds: 1700000000, nanos: 0 }, nonce: 'ab'.repeat(24) });
    const state = { get: async () => undefined, rangePage: async () => [] };
    executor.simulate(proposal, { mspId: 'Org1MSP', id: 'client', role: 'client' }, state).then((r) => {
      process.stdout.write(Buffer.from(r.payload).toString('utf8'));
      executor.dispose();
    }, (err) => { console.error(err); process.exit(1); });`;
  return execFileSync(process.execPath, ['--no-node-snapshot', '-e', script], { encoding: 'utf8', env: { ...process.env, ...env } });
}

describe('sandbox time zone and locale', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flexchain-locale-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives the same result on hosts with different TZ and LANG, in UTC and en-US', () => {
    const file = join(dir, 'probe.fcpkg');
    writeFileSync(file, rawPackage('probe', { probe }));
    const newYork = endorseIn({ TZ: 'America/New_York', LANG: 'de_DE.UTF-8', LC_ALL: 'de_DE.UTF-8' }, file);
    const kolkata = endorseIn({ TZ: 'Asia/Kolkata', LANG: 'fr_FR.UTF-8', LC_ALL: 'fr_FR.UTF-8' }, file);
    expect(newYork).toBe(kolkata);
    const values = JSON.parse(newYork) as unknown[];
    expect(values.slice(0, 11)).toEqual([
      'Tue Nov 14 2023 22:13:20 GMT+0000 (Coordinated Universal Time)',
      'Thu Jan 01 1970 00:00:00 GMT+0000 (Coordinated Universal Time)',
      '00:00:00 GMT+0000 (Coordinated Universal Time)',
      0,
      0,
      Date.UTC(2020, 0, 1),
      '1/1/1970, 12:00:00 AM',
      '1,234.5',
      '12,345,678,901,234,567,890',
      'en-US',
      'UTC',
    ]);
  }, 60_000);
});
