// A contract package: one bundled script plus what the network needs to know
// about it. Its id is the sha256 of its canonical JSON, so a package is
// immutable and peers can check they all run the same code.

import { canonicalStringify, CONTRACT_NAME_HINT, FlexChainError, isValidContractName, type ContractMetadata } from '@flexchain/sdk';
import { assertMetadataValid, sha256Hex } from '@flexchain/sdk/protocol';
import { Script } from 'node:vm';

export const PACKAGE_FORMAT = 'flexchain-package/2';
/** File name the bundle has in stack traces and source maps. */
export const BUNDLE_FILE_NAME = 'contract.js';

export interface ContractPackage {
  readonly format: typeof PACKAGE_FORMAT;
  /** Contract name (from the contract class). */
  readonly name: string;
  readonly metadata: ContractMetadata;
  /**
   * The bundled contract: a CommonJS body that may require only @flexchain/sdk
   * and exports metadata() and simulate(request, host) (contract-runtime.ts).
   * The realm instantiates it afresh for every transaction.
   */
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
  // The name becomes the contract's state namespace: the grammar keeps U+0000 out, so no two namespaces overlap.
  if (!isValidContractName(json.name)) throw new PackageInvalidError(`${source} names its contract ${JSON.stringify(String(json.name).slice(0, 80))}, which is not a valid contract name.`, { hint: CONTRACT_NAME_HINT });
  assertWellFormedScript(json.code, source);
  if (json.sourceMap !== undefined && typeof json.sourceMap !== 'string') throw new PackageInvalidError(`${source} has a source map that is not a string.`, { hint: 'Rebuild it with `flexchain build`.' });
  try {
    assertMetadataValid(json.metadata, json.name);
  } catch (err) {
    throw new PackageInvalidError(`${source} has invalid metadata: ${(err as FlexChainError).shortMessage}`, { hint: 'Rebuild it with `flexchain build`.', cause: err });
  }
  return { format: PACKAGE_FORMAT, name: json.name, metadata: json.metadata, code: json.code, sourceMap: json.sourceMap ?? '' };
}

/**
 * The realm wraps the code in a function (hardened-realm.ts). Code that parses
 * as a script on its own has no unmatched `}`, so it cannot close that
 * function and run outside it. Compiled only, never run, here.
 */
function assertWellFormedScript(code: string, source: string): void {
  try {
    new Script(code, { filename: BUNDLE_FILE_NAME });
  } catch (err) {
    throw new PackageInvalidError(`${source} holds code that is not a well-formed script: ${(err as Error).message}`, { hint: 'Build it with `flexchain build`.' });
  }
}
