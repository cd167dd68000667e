// A contract package: one bundled script plus what the network needs to know
// about it. Its id is the sha256 of its canonical JSON, so a package is
// immutable and peers can check they all run the same code.

import { canonicalStringify, FlexChainError, type ContractMetadata } from '@flexchain/sdk';
import { sha256Hex } from '@flexchain/sdk/protocol';

export const PACKAGE_FORMAT = 'flexchain-package/1';

export interface ContractPackage {
  readonly format: typeof PACKAGE_FORMAT;
  /** Contract name (from the contract class). */
  readonly name: string;
  readonly metadata: ContractMetadata;
  /** The bundled script (IIFE) that defines globalThis.__flexchain. */
  readonly code: string;
  /** Source map of `code`, so contract errors point at TypeScript lines. */
  readonly sourceMap: string;
}

export class PackageInvalidError extends FlexChainError {
  override name = 'PackageInvalidError';
}

export function packageId(pkg: ContractPackage): string {
  return sha256Hex(canonicalStringify({ format: pkg.format, name: pkg.name, metadata: pkg.metadata, code: pkg.code, sourceMap: pkg.sourceMap }));
}

export function parsePackage(text: string, source: string): ContractPackage {
  let json: Partial<ContractPackage>;
  try {
    json = JSON.parse(text) as Partial<ContractPackage>;
  } catch (err) {
    throw new PackageInvalidError(`${source} is not a contract package (not JSON).`, { hint: 'Build one with `flexchain build`.', cause: err });
  }
  if (json.format !== PACKAGE_FORMAT || typeof json.name !== 'string' || typeof json.code !== 'string' || typeof json.metadata !== 'object') {
    throw new PackageInvalidError(`${source} is not a ${PACKAGE_FORMAT} contract package.`, { hint: 'Rebuild it with this version of `flexchain build`.' });
  }
  return { format: PACKAGE_FORMAT, name: json.name, metadata: json.metadata as ContractMetadata, code: json.code, sourceMap: json.sourceMap ?? '' };
}
