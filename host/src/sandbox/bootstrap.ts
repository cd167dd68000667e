// Code run in every fresh contract context before the contract bundle: makes
// the context deterministic by construction.
//
// - Math.random is an sfc32 generator seeded from the tx id.
// - Date and Date.now() read the proposal timestamp; Date with arguments works as usual.
// - WeakRef, FinalizationRegistry, SharedArrayBuffer, Atomics, WebAssembly,
//   timers, eval and the Function constructors throw DeterminismError naming
//   the call (they stay defined, so `typeof X` feature checks do not crash).
// - console.* goes to the host log, tagged with contract and tx by the host.
//
// Contexts are prepared ahead of their transaction, so the seed and the time
// are set later by __fcBegin({ seed, timeMs }), which only works once.
// Module top-level code that runs before that sees seed "" and time 0: still
// deterministic.
//
// Inputs, set on the global by the executor and removed here:
//   __fcHostGet(txId, key), __fcHostRange(txId, start, end, limit), __fcHostLog(txId, level, message)
//   (ivm References). They are handed to the contract runtime once, through __fcTakeHost().

export const BOOTSTRAP_SOURCE = String.raw`
(function () {
  'use strict';
  const g = globalThis;
  const refs = { get: g.__fcHostGet, range: g.__fcHostRange, log: g.__fcHostLog };
  delete g.__fcHostGet;
  delete g.__fcHostRange;
  delete g.__fcHostLog;
  const call = (ref, args) => ref.apply(undefined, args, { arguments: { copy: true }, result: { promise: true, copy: true } });
  let txId = '';
  const hostLog = (level, message) => refs.log.applyIgnored(undefined, [txId, level, message], { arguments: { copy: true } });
  let hostTaken = false;
  g.__fcTakeHost = function () {
    if (hostTaken) throw new Error('sandbox host functions were already taken');
    hostTaken = true;
    return {
      get: (key) => call(refs.get, [txId, key]),
      range: (start, end, limit) => call(refs.range, [txId, start, end, limit]),
      log: hostLog,
    };
  };

  class DeterminismError extends Error {
    constructor(what, hint) {
      super(what + ' is not available in contracts: ' + hint);
      this.name = 'DeterminismError';
    }
  }
  g.DeterminismError = DeterminismError;
  const forbidden = (what, hint) => function () { throw new DeterminismError(what, hint); };

  // sfc32 seeded by a 128-bit FNV-1a mix of the tx id: same tx id, same numbers, on every endorser.
  let a = 0, b = 0, c = 0, d = 0;
  const seed = (text) => {
    a = 0x811c9dc5; b = 0x01000193; c = 0x9e3779b9; d = 0x85ebca6b;
    for (let i = 0; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      a = Math.imul(a ^ ch, 0x01000193) >>> 0;
      b = Math.imul(b ^ a, 0x85ebca6b) >>> 0;
      c = Math.imul(c ^ b, 0xc2b2ae35) >>> 0;
      d = Math.imul(d ^ c, 0x27d4eb2f) >>> 0;
    }
    for (let i = 0; i < 16; i++) random();
  };
  const random = function random() {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
  seed('');
  Object.defineProperty(Math, 'random', { value: random, writable: false, configurable: false });

  const RealDate = Date;
  let now = 0;
  function FlexDate(...args) {
    if (!new.target) return new RealDate(now).toString();
    return args.length === 0 ? new RealDate(now) : new RealDate(...args);
  }
  FlexDate.prototype = RealDate.prototype;
  FlexDate.now = function now_() { return now; };
  FlexDate.parse = RealDate.parse;
  FlexDate.UTC = RealDate.UTC;
  Object.defineProperty(RealDate.prototype, 'constructor', { value: FlexDate, writable: true, configurable: true });
  g.Date = FlexDate;

  const gcHint = 'garbage collection runs at different times on each node';
  g.WeakRef = forbidden('WeakRef', gcHint);
  g.FinalizationRegistry = forbidden('FinalizationRegistry', gcHint);
  const sharedHint = 'contracts run single-threaded';
  g.SharedArrayBuffer = forbidden('SharedArrayBuffer', sharedHint);
  const atomics = {};
  const atomicsNames = ['add', 'and', 'compareExchange', 'exchange', 'isLockFree', 'load', 'notify', 'or', 'store', 'sub', 'wait', 'waitAsync', 'xor'];
  for (const name of atomicsNames) atomics[name] = forbidden('Atomics.' + name, sharedHint);
  g.Atomics = atomics;
  const wasm = {};
  for (const name of ['Module', 'Instance', 'Memory', 'Table', 'Global', 'compile', 'instantiate', 'validate', 'compileStreaming', 'instantiateStreaming']) {
    wasm[name] = forbidden('WebAssembly.' + name, 'WebAssembly is not allowed in contracts');
  }
  g.WebAssembly = wasm;
  for (const name of ['setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval', 'clearImmediate']) {
    g[name] = forbidden(name, 'a transaction runs to completion once; do the work directly');
  }
  const codeHint = 'code built at run time is not allowed';
  g.eval = forbidden('eval', codeHint);
  const functionCtor = forbidden('Function', codeHint);
  functionCtor.prototype = Function.prototype;
  for (const proto of [Function.prototype, Object.getPrototypeOf(async function () {}), Object.getPrototypeOf(function* () {}), Object.getPrototypeOf(async function* () {})]) {
    Object.defineProperty(proto, 'constructor', { value: functionCtor, writable: false, configurable: false });
  }
  g.Function = functionCtor;

  const format = (args) => args.map((x) => {
    if (typeof x === 'string') return x;
    if (x instanceof Error) return x.stack || String(x);
    if (typeof x === 'bigint') return x + 'n';
    try { return JSON.stringify(x, (k, v) => (typeof v === 'bigint' ? v + 'n' : v)); } catch (e) { return String(x); }
  }).join(' ');
  const log = (level) => (...args) => hostLog(level, format(args));
  g.console = { log: log('info'), info: log('info'), debug: log('debug'), warn: log('warn'), error: log('error'), trace: log('debug') };

  let begun = false;
  g.__fcBegin = function (tx) {
    if (begun) throw new Error('a sandbox context serves one transaction');
    begun = true;
    txId = tx.seed;
    seed(tx.seed);
    now = tx.timeMs;
  };
})();
`;
