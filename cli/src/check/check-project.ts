// Finds a contract's source files and runs the determinism check over them.

import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { FlexChainError } from '@flexchain/sdk';
import { checkSourceFile, createCheckProject, toDiagnostics } from './determinism-check';
import type { CheckReport } from './diagnostic';

export class CheckTargetNotFoundError extends FlexChainError {
  override name = 'CheckTargetNotFoundError';
}

const SOURCE_FILE = /\.(ts|tsx|mts|cts|js|mjs|cjs)$/;
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'build', 'coverage', 'test', 'tests', '__tests__', '.git']);
const TEST_FILE = /\.(test|spec)\.[cm]?[jt]sx?$|\.d\.ts$/;

/** Checks `target`: a file, or a directory (its `src/` if present); tests, builds and dependencies are skipped. */
export function checkProject(target: string): CheckReport {
  const path = resolve(target);
  if (!existsSync(path)) {
    throw new CheckTargetNotFoundError(`Nothing to check at ${path}.`, { hint: 'Pass a contract project directory or a source file.' });
  }
  const root = statSync(path).isDirectory() ? path : resolve(path, '..');
  const files = statSync(path).isDirectory() ? collectSources(existsSync(join(path, 'src')) ? join(path, 'src') : path) : [path];
  if (files.length === 0) {
    throw new CheckTargetNotFoundError(`No contract source files under ${path}.`, { hint: 'Contract sources are .ts or .js files, normally in src/.' });
  }
  const project = createCheckProject();
  const sourceFiles = files.map((f) => project.addSourceFileAtPath(f));
  const diagnostics = sourceFiles.flatMap((sf) => toDiagnostics(sf, checkSourceFile(sf), relative(root, sf.getFilePath()) || sf.getBaseName()));
  diagnostics.sort((a, b) => a.file.localeCompare(b.file, 'en') || a.line - b.line || a.column - b.column);
  return {
    root,
    files: files.map((f) => relative(root, f)),
    diagnostics,
    errorCount: diagnostics.filter((d) => d.severity === 'error').length,
    warningCount: diagnostics.filter((d) => d.severity === 'warning').length,
  };
}

function collectSources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name, 'en'))) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name) && !entry.name.startsWith('.')) out.push(...collectSources(full));
    } else if (SOURCE_FILE.test(entry.name) && !TEST_FILE.test(entry.name)) out.push(full);
  }
  return out;
}
