// End to end: what a new developer does first. Scaffold a project with the real
// `flexchain` binary in an empty temp folder, install it from the npm registry
// (linking this checkout's SDK), and run its tests and the determinism check.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const FLEXCHAIN_BIN = join(__dirname, '..', '..', 'cli', 'bin', 'flexchain.js');
/** npm install of a fresh project fetches ~300 packages; generous for a cold cache. */
const INSTALL_TIMEOUT_MS = 5 * 60_000;

/** The parent `npm test` exports npm_* settings that would leak into the child project's npm. */
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_') && k !== 'INIT_CWD'));

function run(command: string, args: string[], cwd: string) {
  const result = spawnSync(command, args, { cwd, env: { ...cleanEnv, NO_COLOR: '1' }, encoding: 'utf8', timeout: INSTALL_TIMEOUT_MS });
  return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
}

describe('flexchain new → npm install → npm test', () => {
  it(
    'scaffolds a project whose tests and determinism check pass out of the box',
    () => {
      const workspace = mkdtempSync(join(tmpdir(), 'flexchain-e2e-'));
      expect(readdirSync(workspace)).toEqual([]);

      const created = run(FLEXCHAIN_BIN, ['new', 'demo'], workspace);
      expect(created).toMatchObject({ status: 0 });
      expect(created.output).toContain('Created demo from the basic template');
      const project = join(workspace, 'demo');

      const install = run('npm', ['install', '--no-audit', '--no-fund'], project);
      if (install.status !== 0) throw new Error(`npm install failed:\n${install.output}`);

      const test = run('npm', ['test'], project);
      if (test.status !== 0) throw new Error(`npm test failed:\n${test.output}`);
      expect(test.output).toMatch(/Tests:\s+7 passed, 7 total/);
      // ctx.logger output from the contract shows up in the developer's test run.
      expect(test.output).toContain('[demo.createAsset');
      expect(test.output).toContain('created asset asset1 for Tomoko');

      const check = run('npm', ['run', 'check'], project);
      expect(check).toMatchObject({ status: 0 });
      expect(check.output).toContain('No determinism hazards in 1 file.');

      const again = run(FLEXCHAIN_BIN, ['new', 'demo'], workspace);
      expect(again.status).toBe(1);
      expect(again.output).toContain('already exists and is not an empty directory');
    },
    2 * INSTALL_TIMEOUT_MS,
  );
});
