// A load-generator process: the closed loops of an end-to-end benchmark, as a
// client of the network's gRPC gateway, so the network's own CPU can be read
// without them (load-generator-process.ts starts it).

import { connect } from '@flexchain/sdk/client';
import type { LoadJob, LoadMessage } from './load-generator-process';
import { runLoops, type LoopCounts } from './load-loop';
import { txGeneratorOf } from './workloads';

/** How often progress goes to the benchmark, in ms. */
const PROGRESS_INTERVAL_MS = 250;

const send = (message: LoadMessage, then: () => void = () => undefined) => process.send!(message, undefined, {}, then);

process.once('message', (job: LoadJob) => {
  void run(job).catch((err: unknown) => send({ t: 'failed', message: err instanceof Error ? err.message : String(err) }, () => process.exit(1)));
});

async function run(job: LoadJob): Promise<void> {
  const client = connect({ gateway: job.endpoint, identity: job.identity, channelId: job.channelId });
  const counts: LoopCounts = { submitted: 0, committed: 0, aborted: 0, rejected: 0 };
  const ticker = setInterval(() => send({ t: 'progress', counts }), PROGRESS_INTERVAL_MS);
  const cpuBefore = process.cpuUsage();
  const outcome = await runLoops(job.clients, job.durationMs, (fn, args) => client.submit(job.contract, fn, args), txGeneratorOf(job.workload), counts);
  const cpu = process.cpuUsage(cpuBefore);
  clearInterval(ticker);
  send({ t: 'done', outcome, cpuMicros: cpu.user + cpu.system }, () => {
    client.close();
    process.exit(0);
  });
}
