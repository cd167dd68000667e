import { join } from 'node:path';
import { checkProject } from './check-project';

const fixture = (name: string) => join(__dirname, '..', '..', 'test-fixtures', name);

describe('flexchain check: determinism analysis', () => {
  const report = checkProject(fixture('hazardous'));
  const at = (rule: string) => report.diagnostics.filter((d) => d.rule === rule).map((d) => `${d.line}:${d.column} ${d.severity} ${d.message}`);

  it('flags each hazard with file:line:col, severity and a hint', () => {
    expect(report.files).toEqual(['src/contract.ts']);
    expect(at('node-builtin-import')).toEqual([
      '2:1 error Import of Node built-in "fs".',
      '3:1 error Import of Node built-in "node:net".',
      '5:16 error Load of Node built-in "crypto".',
    ]);
    expect(at('randomness')).toEqual(['18:15 error `Math.random()` differs on every endorser.']);
    expect(at('clock')).toEqual(['19:17 error `Date.now()` reads the local clock.', '20:15 error `new Date()` reads the local clock.']);
    expect(at('timers')).toEqual(['22:5 error `setTimeout` schedules work outside the transaction.']);
    expect(at('weak-references')).toEqual(['23:21 error `WeakRef` observes garbage collection.', '24:26 error `FinalizationRegistry` observes garbage collection.']);
    expect(at('shared-memory')).toEqual(['25:24 error `SharedArrayBuffer` is shared-memory concurrency.', '26:5 error `Atomics` is shared-memory concurrency.']);
    expect(at('dynamic-code')).toEqual(['27:5 error `eval` runs code built at run time.', '28:15 error `new Function(...)` compiles code at run time.']);
    expect(at('node-global')).toEqual(['29:17 error `process` is a Node global, absent in the sandbox.']);
    expect(at('locale')).toEqual([
      "30:21 error `Intl` depends on the machine's locale and ICU data.",
      "31:24 error `toLocaleString` depends on the machine's locale.",
      "32:21 error `localeCompare` depends on the machine's locale.",
    ]);
    expect(at('module-state')).toEqual([
      '7:5 error Module-level `let counter` can carry state from one transaction to the next.',
      '8:7 warning Module-level `const cache` holds a mutable Map that transactions could change.',
    ]);
    expect(at('instance-state')).toEqual([
      '13:3 warning Contract field `lastCaller` is shared by every transaction on a node.',
      '33:5 error `this.lastCaller` is written during a transaction.',
    ]);
    expect(at('float-to-state')).toEqual([
      '36:46 warning A floating-point value (`now / 3`) may be written to state.',
      '37:21 warning A floating-point value (`counter / 2`) may be written to state.',
      '39:37 warning A floating-point value (`9.99`) may be written to state.',
    ]);
    for (const d of report.diagnostics) expect(d.hint.length).toBeGreaterThan(20);
    expect(report.errorCount).toBe(report.diagnostics.filter((d) => d.severity === 'error').length);
  });

  it('does not flag shadowed globals, dated constructors, frozen or `as const` constants, or rounded values', () => {
    const lines = new Set(report.diagnostics.map((d) => d.line));
    for (const line of [9, 10, 14, 21, 40, 41, 47, 48, 49]) expect(lines.has(line)).toBe(false);
  });

  it('passes clean code', () => {
    const clean = checkProject(fixture('clean'));
    expect(clean.diagnostics).toEqual([]);
  });

  it.each(['smallbank', 'ycsb', 'kmeans'])('passes the %s sample contract with no findings', (name) => {
    const sample = checkProject(join(__dirname, '..', '..', '..', 'contracts', name));
    expect(sample.diagnostics).toEqual([]);
    expect(sample.files).toEqual(['src/index.ts']);
  });

  it('says what to do when there is nothing to check', () => {
    expect(() => checkProject(fixture('missing'))).toThrow(/Nothing to check at .*missing\.\nHint: Pass a contract project directory or a source file\./);
  });
});
