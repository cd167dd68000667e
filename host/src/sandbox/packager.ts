// `flexchain build`: bundle a contract project into one script with esbuild
// (its npm dependencies included, Node built-ins refused), derive its
// transaction metadata by loading it in a sandbox, and write a package whose
// id is its hash.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build, type Message } from 'esbuild';
import { FlexChainError, type ContractMetadata } from '@flexchain/sdk';
import { assertMetadataValid } from '@flexchain/sdk/protocol';
import { runtimeEntrySource } from './contract-runtime';
import { HardenedRealm } from './hardened-realm';
import { SANDBOX_SDK_MODULE } from './sandbox-sdk';
import { BUNDLE_FILE_NAME, PACKAGE_FORMAT, packageId, type ContractPackage } from './contract-package';

export class ContractBuildError extends FlexChainError {
  override name = 'ContractBuildError';
}

const ENTRY_CANDIDATES = ['src/index.ts', 'src/contract.ts', 'index.ts', 'src/index.js', 'index.js'];
/** Heap for loading a bundle to read its metadata, in MiB. */
const METADATA_ISOLATE_MEMORY_MB = 128;
/** Time the bundle's top-level code may take while metadata is read, in ms. */
const METADATA_TIMEOUT_MS = 5000;

export interface BuiltPackage {
  readonly id: string;
  readonly pkg: ContractPackage;
  /** Where the package file was written. */
  readonly file: string;
}

export function contractEntry(projectDir: string): string {
  const manifest = join(projectDir, 'package.json');
  if (existsSync(manifest)) {
    const main = (JSON.parse(readFileSync(manifest, 'utf8')) as { main?: string }).main;
    if (main && existsSync(join(projectDir, main))) return resolve(projectDir, main);
  }
  const found = ENTRY_CANDIDATES.find((c) => existsSync(join(projectDir, c)));
  if (!found) {
    throw new ContractBuildError(`No contract entry file in ${projectDir}.`, { hint: `Set "main" in package.json, or create one of ${ENTRY_CANDIDATES.join(', ')}.` });
  }
  return resolve(projectDir, found);
}

export async function bundleContract(projectDir: string, entry = contractEntry(projectDir)): Promise<{ code: string; sourceMap: string }> {
  try {
    const result = await build({
      stdin: { contents: runtimeEntrySource(entry), resolveDir: projectDir, sourcefile: '__flexchain_entry.js', loader: 'js' },
      absWorkingDir: projectDir,
      bundle: true,
      write: false,
      // One CommonJS body, instantiated afresh for every transaction; the realm provides the SDK, evaluated once.
      format: 'cjs',
      platform: 'neutral',
      mainFields: ['module', 'main'],
      external: [SANDBOX_SDK_MODULE],
      target: 'es2022',
      sourcemap: 'external',
      sourcesContent: true,
      outfile: BUNDLE_FILE_NAME,
      legalComments: 'none',
      logLevel: 'silent',
    });
    const code = result.outputFiles.find((f) => f.path.endsWith('.js'))!.text;
    const sourceMap = result.outputFiles.find((f) => f.path.endsWith('.map'))?.text ?? '';
    return { code, sourceMap };
  } catch (err) {
    const errors = (err as { errors?: Message[] }).errors ?? [];
    const details = errors.map((e) => `${e.location ? `${e.location.file}:${e.location.line}:${e.location.column + 1}: ` : ''}${e.text}`).join('\n');
    const builtin = errors.some((e) => /Could not resolve "(node:)?[a-z_]+"/.test(e.text) && /platform/.test(e.notes.map((n) => n.text).join(' ')));
    throw new ContractBuildError(`Bundling ${entry} failed.`, {
      details: details || (err as Error).message,
      hint: builtin ? 'Contracts cannot use Node built-ins; remove the import (run `flexchain check` for details).' : 'Fix the errors above; run `npm install` in the project if a dependency is missing.',
      cause: err,
    });
  }
}

/** Loads a bundle in a throwaway realm, as a cNode would, and asks a fresh instance for its metadata. */
export async function readMetadata(code: string): Promise<ContractMetadata> {
  let realm: HardenedRealm | undefined;
  try {
    const ignore = () => undefined;
    realm = new HardenedRealm(code, METADATA_ISOLATE_MEMORY_MB, METADATA_TIMEOUT_MS, { request: ignore, done: ignore, log: ignore }, false);
    const result = await realm.call(['metadata'], METADATA_TIMEOUT_MS);
    if (!result.ok) throw result.error;
    return result.value as ContractMetadata;
  } catch (err) {
    throw new ContractBuildError('The bundled contract failed to load in the sandbox.', { details: (err as Error).message, hint: 'Check the contract module exports a class extending Contract and does no work at load time that the sandbox refuses.', cause: err });
  } finally {
    realm?.dispose();
  }
}

export interface BuildOptions {
  /** Where to write the package; default <project>/dist. */
  readonly outDir?: string;
  /** Contract entry file; default from package.json "main" or src/index.ts. */
  readonly entry?: string;
}

export async function buildPackage(projectDir: string, options: BuildOptions = {}): Promise<BuiltPackage> {
  const dir = resolve(projectDir);
  const outDir = options.outDir ?? join(dir, 'dist');
  const { code, sourceMap } = await bundleContract(dir, options.entry ? resolve(dir, options.entry) : contractEntry(dir));
  const metadata = await readMetadata(code);
  try {
    assertMetadataValid(metadata, metadata.name);
  } catch (err) {
    throw new ContractBuildError(`The contract's declared types cannot be shipped: ${(err as FlexChainError).shortMessage}`, { hint: (err as FlexChainError).hint ?? 'Fix the @Submit/@Evaluate/@Returns types.', cause: err });
  }
  const pkg: ContractPackage = { format: PACKAGE_FORMAT, name: metadata.name, metadata, code, sourceMap };
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `${metadata.name}.fcpkg`);
  writeFileSync(file, JSON.stringify(pkg));
  return { id: packageId(pkg), pkg, file };
}
