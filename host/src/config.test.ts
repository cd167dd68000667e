// Issue 13, defect 5: resolveHostConfig took tieredState.readRetriesMax -5 and a
// free-memory threshold equal to the budget. Every setting and the relations
// between them are checked when the config is resolved, naming the field.

import { DEFAULT_HOST_CONFIG, resolveHostConfig, type HostConfigOverrides } from './config';

const refused = (overrides: unknown) => () => resolveHostConfig(overrides as HostConfigOverrides);

describe('resolveHostConfig', () => {
  it('keeps defaults for settings not given or given as undefined', () => {
    expect(resolveHostConfig({ txCpuTimeMs: undefined, tieredState: { slabBytes: undefined } })).toEqual(DEFAULT_HOST_CONFIG);
  });

  it('refuses nonsense in nested limits, naming the field', () => {
    expect(refused({ tieredState: { readRetriesMax: -5 } })).toThrow(/tieredState\.readRetriesMax must be a whole number of at least 1, got -5/);
    expect(refused({ stub: { keyBytesMax: 1.5 } })).toThrow(/stub\.keyBytesMax/);
    expect(refused({ tieredState: { promoteStorageReads: 'yes' } })).toThrow(/tieredState\.promoteStorageReads must be a boolean, got "yes"/);
  });

  it('refuses strings where numbers belong and settings it does not know', () => {
    expect(refused({ txCpuTimeMs: '100' })).toThrow(/txCpuTimeMs must be a whole number of at least 1, got "100"/);
    expect(refused({ txCpuTimeMS: 100 })).toThrow(/Unknown host setting txCpuTimeMS/);
    expect(refused({ tieredState: { slabBytez: 1 } })).toThrow(/Unknown host setting tieredState\.slabBytez[\s\S]*Known tieredState settings: slabBytes/);
  });

  it('refuses limits that contradict each other', () => {
    const budget = DEFAULT_HOST_CONFIG.tieredState.memoryBudgetBytes;
    expect(refused({ tieredState: { evictionFreeBytesMin: budget } })).toThrow(/evictionFreeBytesMin \(\d+\) must be below tieredState\.memoryBudgetBytes/);
    expect(refused({ tieredState: { slabBytes: budget * 2 } })).toThrow(/slabBytes .* must be at most tieredState\.memoryBudgetBytes/);
    expect(refused({ tieredState: { readBackoffMs: 100, readBackoffMaxMs: 10 } })).toThrow(/readBackoffMs/);
    expect(refused({ txCpuTimeMs: 5000, txWallTimeMs: 1000 })).toThrow(/txWallTimeMs/);
  });

  it('allows zero only where it means something', () => {
    expect(resolveHostConfig({ validationThreads: 0, signatureVerifyThreads: 0 }).signatureVerifyThreads).toBe(0);
    expect(refused({ commitAttemptsMax: 0 })).toThrow(/commitAttemptsMax/);
  });
});
