// The SDK as the hardened realm evaluates it: `@flexchain/sdk` bundled once per
// process from its ES module sources into one CommonJS body. Every isolate
// evaluates it once, hardens its exports, and hands the same frozen module to
// each transaction's contract instance (`require('@flexchain/sdk')`), so a
// contract package carries only its own code.

import { buildSync } from 'esbuild';
import { FlexChainError } from '@flexchain/sdk';

/** The one module a contract bundle may import at run time. */
export const SANDBOX_SDK_MODULE = '@flexchain/sdk';

export class SandboxSdkUnavailableError extends FlexChainError {
  override name = 'SandboxSdkUnavailableError';
}

let cached: string | undefined;

/** CommonJS body of the SDK (expects `module` and `exports` in scope). */
export function sandboxSdkSource(): string {
  if (cached !== undefined) return cached;
  try {
    const result = buildSync({
      stdin: { contents: `module.exports = require(${JSON.stringify(SANDBOX_SDK_MODULE)});`, resolveDir: __dirname, sourcefile: '__flexchain_sdk.js', loader: 'js' },
      bundle: true,
      write: false,
      format: 'cjs',
      platform: 'neutral',
      mainFields: ['module', 'main'],
      conditions: ['flexchain-source'],
      target: 'es2022',
      legalComments: 'none',
      logLevel: 'silent',
    });
    cached = result.outputFiles[0]!.text;
    return cached;
  } catch (err) {
    throw new SandboxSdkUnavailableError('The SDK could not be bundled for the contract sandbox.', {
      details: (err as Error).message,
      hint: 'Reinstall: run `npm install` at the repository root so @flexchain/sdk and esbuild are present.',
      cause: err,
    });
  }
}
