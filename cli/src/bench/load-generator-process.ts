// The benchmark's side of a load-generator process (load-generator.ts): starts
// it, hands it the job, follows its progress and takes its outcome and CPU time.

import { fork } from 'node:child_process';
import { join } from 'node:path';
import { BenchArgumentError, type BenchNetwork } from './harness';
import type { LoopCounts, LoopOutcome } from './load-loop';
import type { WorkloadSpec } from './workloads';

export interface LoadJob {
  readonly endpoint: string;
  readonly channelId: string;
  readonly identity: BenchNetwork['clientKeys'];
  readonly contract: string;
  readonly clients: number;
  readonly durationMs: number;
  readonly workload: WorkloadSpec;
}

export type LoadMessage = { readonly t: 'progress'; readonly counts: LoopCounts } | { readonly t: 'done'; readonly outcome: LoopOutcome; readonly cpuMicros: number } | { readonly t: 'failed'; readonly message: string };

/** The compiled script: next to this file in dist/, or in dist/ when this file runs from src/ (tests). */
const scriptPath = (): string => (__filename.endsWith('.ts') ? join(__dirname, '..', '..', 'dist', 'bench', 'load-generator.js') : join(__dirname, 'load-generator.js'));

export function runLoadGenerator(bench: BenchNetwork, job: Omit<LoadJob, 'endpoint' | 'channelId' | 'identity'>, counts: LoopCounts): Promise<{ outcome: LoopOutcome; cpuMicros: number }> {
  if (!bench.endpoint) throw new BenchArgumentError('The load-generator process needs the network on gRPC.', { hint: 'Start the bench network with clientsProcess set.' });
  const full: LoadJob = { ...job, endpoint: bench.endpoint, channelId: bench.network.manifest.channelId, identity: bench.clientKeys };
  return new Promise((resolve, reject) => {
    const child = fork(scriptPath(), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let settled = false;
    child.on('message', (message: LoadMessage) => {
      if (message.t === 'progress') Object.assign(counts, message.counts);
      else if (message.t === 'done') {
        settled = true;
        Object.assign(counts, { submitted: message.outcome.submitted, committed: message.outcome.committed, aborted: message.outcome.aborted, rejected: message.outcome.rejected });
        resolve({ outcome: message.outcome, cpuMicros: message.cpuMicros });
      } else {
        settled = true;
        reject(new BenchArgumentError(`The load-generator process failed: ${message.message}`));
      }
    });
    child.on('exit', (code, signal) => {
      if (!settled) reject(new BenchArgumentError(`The load-generator process ${signal ? `was killed by ${signal}` : `exited with code ${code}`} before it reported.`));
    });
    child.send(full);
  });
}
