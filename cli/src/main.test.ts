import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from './main';

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
  const error = jest.spyOn(console, 'error').mockImplementation((...a) => void err.push(a.join(' ')));
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
  const writeErr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => (err.push(String(chunk)), true));
  try {
    const code = await main(['node', 'flexchain', ...args]);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
    write.mockRestore();
    writeErr.mockRestore();
  }
}

const fixtures = join(__dirname, '..', 'test-fixtures');

describe('flexchain CLI', () => {
  it('check exits 1 with located diagnostics when there are errors', async () => {
    const { code, out } = await run('check', join(fixtures, 'hazardous'));
    expect(code).toBe(1);
    expect(out).toContain('src/contract.ts:18:15  error    `Math.random()` differs on every endorser.  randomness');
    expect(out).toMatch(/✖ 19 errors, 5 warnings in 1 file\./);
  });

  it('check --json prints a machine-readable report', async () => {
    const { code, out } = await run('check', join(fixtures, 'clean'), '--json');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ ok: true, files: ['src/contract.ts'], diagnostics: [], errorCount: 0, warningCount: 0 });
  });

  it('reports a failure with the error message and hint', async () => {
    const { code, err } = await run('check', join(fixtures, 'missing'));
    expect(code).toBe(1);
    expect(err).toMatch(/Error: Nothing to check at .*missing\.\nHint: Pass a contract project directory or a source file\./);
  });

  it('new --json reports what it wrote; errors come back as JSON too', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'flexchain-cli-')), 'proj');
    const created = await run('new', 'proj', '--template', 'token', '--directory', dir, '--json');
    expect(created.code).toBe(0);
    expect(JSON.parse(created.out)).toMatchObject({ directory: dir, template: 'token' });
    const again = await run('new', 'proj', '--directory', dir, '--json');
    expect(again.code).toBe(1);
    expect(JSON.parse(again.out).error).toMatchObject({ name: 'ProjectDirectoryNotEmptyError' });
  });

  it('exits 2 on unknown commands', async () => {
    const { code, err } = await run('frobnicate');
    expect(code).toBe(2);
    expect(err).toContain("unknown command 'frobnicate'");
  });
});
