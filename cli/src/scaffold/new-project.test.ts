import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createProject, listTemplates, PROJECT_DEV_DEPENDENCIES, TEMPLATE_NAME_TOKEN } from './new-project';

const repoRoot = join(__dirname, '..', '..', '..');

describe('flexchain new', () => {
  let cwd: string;
  beforeEach(() => {
    cwd = mkdtempSync(join(tmpdir(), 'flexchain-new-'));
  });

  it('offers at least the basic and token templates', () => {
    expect(listTemplates().map((t) => t.name)).toEqual(expect.arrayContaining(['basic', 'token']));
  });

  it.each(['basic', 'token'])('writes the %s template with the project name filled in and the SDK linked', (template) => {
    const result = createProject({ name: 'my-ledger', template, directory: join(cwd, 'my-ledger') });
    expect(result.files).toEqual(['.gitignore', 'README.md', 'jest.config.js', 'package.json', 'src/contract.ts', 'test/contract.test.ts', 'tsconfig.json']);
    const pkg = JSON.parse(readFileSync(join(result.directory, 'package.json'), 'utf8'));
    expect(pkg.name).toBe('my-ledger');
    expect(pkg.dependencies['@flexchain/sdk']).toBe(`file:${join(repoRoot, 'sdk')}`);
    expect(pkg.devDependencies.flexchain).toBe(`file:${join(repoRoot, 'cli')}`);
    const source = readFileSync(join(result.directory, 'src/contract.ts'), 'utf8');
    expect(source).toContain("contractName = 'my-ledger'");
    expect(source).not.toContain(TEMPLATE_NAME_TOKEN);
  });

  it('pins the same test tooling as this repository', () => {
    const root = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
    for (const [name, range] of Object.entries(PROJECT_DEV_DEPENDENCIES)) expect([name, root.devDependencies[name]]).toEqual([name, range]);
  });

  it('refuses a non-empty directory and leaves it untouched', () => {
    const dir = join(cwd, 'taken');
    mkdirSync(dir);
    writeFileSync(join(dir, 'keep.txt'), 'mine');
    expect(() => createProject({ name: 'taken', template: 'basic', directory: dir })).toThrow(/already exists and is not an empty directory; nothing was written/);
    expect(readdirSync(dir)).toEqual(['keep.txt']);
  });

  it('accepts an existing empty directory', () => {
    const dir = join(cwd, 'empty');
    mkdirSync(dir);
    expect(createProject({ name: 'empty', template: 'basic', directory: dir }).files).toContain('package.json');
  });

  it('rejects bad names and unknown templates, listing what exists', () => {
    expect(() => createProject({ name: 'My Project', template: 'basic', directory: join(cwd, 'x') })).toThrow('Project name "My Project" is not valid.');
    expect(() => createProject({ name: 'ok', template: 'nft', directory: join(cwd, 'y') })).toThrow(/There is no template named "nft"\.\nTemplates: basic \(.*\); token \(.*\)\.\nHint: Pass --template basic or --template token\./);
  });
});
