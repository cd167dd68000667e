import { runExecutionBench } from './execution';

describe('bench execution', () => {
  it('simulates on each cNode count in sandbox processes, with no failures, and reports CPU per transaction', async () => {
    const result = await runExecutionBench(
      { contract: 'smallbank', cnodes: [1, 2], durationMs: 1000, inFlight: 4, sandboxProcesses: true, seed: 1, accounts: 100, pw: 0.95, profiles: 10, dimensions: 2, clusters: 2, epochs: 2 },
      false,
    );
    expect(result.runs.map((r) => r.cnodes)).toEqual([1, 2]);
    for (const run of result.runs) {
      expect(run.simulated).toBeGreaterThan(0);
      expect(run.failed).toBe(0);
      expect(run.cpuMicrosPerTx).toBeGreaterThan(0);
      expect(Math.abs(run.perCnodeTxPerSecond - run.txPerSecond / run.cnodes)).toBeLessThanOrEqual(0.5);
    }
    expect(result.runs[0]!.speedup).toBe(1);
  }, 60_000);
});
