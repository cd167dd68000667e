import { runSmallbankBench } from './smallbank';

describe('bench smallbank --clients-process', () => {
  it('drives the network from a load-generator process over gRPC and counts its CPU apart', async () => {
    const result = await runSmallbankBench(
      { accounts: 100, pw: 0.95, zipf: 0, durationMs: 2000, clients: 16, cnodes: 1, orgs: 1, seed: 1, validation: 'parallel', validationThreads: 0, sandboxProcesses: false, clientsProcess: true },
      false,
    );
    expect(result.committed).toBeGreaterThan(0);
    expect(result.submitted).toBeGreaterThanOrEqual(result.committed + result.aborted);
    expect(result.cpuMicrosPerTxLoad).toBeGreaterThan(0);
    expect(result.latencyMs.p50).toBeGreaterThan(0);
  }, 90_000);
});
