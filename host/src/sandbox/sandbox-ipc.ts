// Messages between a cNode and its sandbox process (sandbox-process.ts and
// sandbox-worker.ts). They travel over Node's IPC channel with structured-clone
// serialisation, so bytes stay Uint8Array, in batches: whatever one side has to
// say within one turn of its event loop goes as one array, since each IPC
// message costs far more than its contents. Errors travel in the wire form of
// error-wire.ts, never as live objects.

import type { IdentityInfo, LogLevel } from '@flexchain/sdk';
import type { Proposal, WireError } from '@flexchain/sdk/protocol';
import type { HostConfig } from '../config';
import type { ContractPackage } from './contract-package';
import type { SandboxResult } from './contract-executor';

export type ToSandbox =
  | { readonly t: 'config'; readonly config: HostConfig }
  | { readonly t: 'install'; readonly packageId: string; readonly pkg: ContractPackage }
  | { readonly t: 'retire'; readonly packageId: string }
  | { readonly t: 'simulate'; readonly id: number; readonly packageId: string; readonly proposal: Proposal; readonly identity: IdentityInfo }
  /** A block committed writes to these keys (readCacheKey): forget what was read of them. */
  | { readonly t: 'invalidate'; readonly keys: readonly string[] }
  /** `invalidations`: how many the cNode had sent when the read began (sandbox-read-cache.ts). */
  | { readonly t: 'reply'; readonly id: number; readonly call: number; readonly ok: true; readonly value: unknown; readonly invalidations: number }
  | { readonly t: 'reply'; readonly id: number; readonly call: number; readonly ok: false; readonly error: WireError };

export type FromSandbox =
  | { readonly t: 'state'; readonly id: number; readonly call: number; readonly op: 'get' | 'range'; readonly args: readonly unknown[] }
  | { readonly t: 'log'; readonly level: LogLevel; readonly message: string; readonly tag: { contract: string; fn: string; txId: string } }
  | ({ readonly t: 'done'; readonly id: number; readonly rebuilds: number; readonly reads: ReadCacheCounts } & ({ readonly ok: true; readonly result: SandboxResult } | { readonly ok: false; readonly error: WireError }));

/** Point reads the sandbox process's read cache answered, and those it sent on to the cNode, since it started. */
export interface ReadCacheCounts {
  readonly hits: number;
  readonly misses: number;
}
