// Code run in every fresh contract context before the contract bundle: makes
// the context deterministic by construction, and is the only code that talks to
// the host.
//
// - Math.random is an sfc32 generator seeded from the tx id.
// - Date and Date.now() read the proposal timestamp; Date with arguments works as usual.
// - WeakRef, FinalizationRegistry, SharedArrayBuffer, Atomics, WebAssembly,
//   timers, eval and the Function constructors throw DeterminismError naming
//   the call (they stay defined, so `typeof X` feature checks do not crash).
// - console.* goes to the host log, tagged with contract and tx by the host.
// - Time zone and locale are pinned, so endorsers on hosts with other TZ or
//   LANG settings agree: the executor runs isolates in UTC (time-zone.ts), and
//   every Intl constructor and toLocale*/localeCompare call without an explicit
//   locale uses en-US; Date's toString names UTC in English.
//
// The host drives the context; it never hands the isolate a promise. The script
// evaluates to an entry function that the host calls:
//   entry('start', request)           seeds the context and starts the transaction
//   entry('resume', id, ok, value)    settles state call `id` with its result (or error {name, message})
// State calls go out through __fcHostRequest(id, op, ...args) and the outcome
// through __fcHostDone(outcome), both fire-and-forget. So every piece of
// contract code runs inside a host call that the host times, orders and
// attributes to its transaction, and once the host has the outcome it simply
// stops calling: nothing the transaction left pending can run.
//
// Contexts are prepared ahead of their transaction, so module top-level code
// runs before 'start' and sees seed "" and time 0: still deterministic.
//
// Inputs, set on the global by the executor and removed here:
//   __fcHostRequest, __fcHostDone, __fcHostLog (ivm References),
//   __fcHostRunning (a shared Int32Array buffer) and __fcContextId. The state
//   functions are handed to the contract runtime once, through __fcTakeHost().

export const BOOTSTRAP_SOURCE = String.raw`
(function () {
  'use strict';
  const g = globalThis;
  const refs = { request: g.__fcHostRequest, done: g.__fcHostDone, log: g.__fcHostLog };
  const running = new Int32Array(g.__fcHostRunning);
  const contextId = g.__fcContextId;
  delete g.__fcHostRequest;
  delete g.__fcHostDone;
  delete g.__fcHostLog;
  delete g.__fcHostRunning;
  delete g.__fcContextId;
  running[0] = contextId;
  const copy = { arguments: { copy: true } };
  const pending = new Map();
  let nextCall = 0;
  const request = (op, args) => new Promise((resolve, reject) => {
    const id = nextCall++;
    pending.set(id, { resolve, reject });
    refs.request.applyIgnored(undefined, [id, op, ...args], copy);
  });
  const hostLog = (level, message) => refs.log.applyIgnored(undefined, [level, String(message)], copy);
  let hostTaken = false;
  g.__fcTakeHost = function () {
    if (hostTaken) throw new Error('sandbox host functions were already taken');
    hostTaken = true;
    return {
      get: (key) => request('get', [key]),
      range: (start, end, limit) => request('range', [start, end, limit]),
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

  const LOCALE = 'en-US';
  const withDefaultLocale = (locales) => (locales === undefined ? LOCALE : locales);
  for (const name of ['Collator', 'DateTimeFormat', 'NumberFormat', 'PluralRules', 'RelativeTimeFormat', 'ListFormat', 'DisplayNames', 'Segmenter']) {
    const Real = Intl[name];
    if (typeof Real !== 'function') continue;
    const Pinned = function (locales, options) {
      return new.target ? new Real(withDefaultLocale(locales), options) : Real(withDefaultLocale(locales), options);
    };
    Pinned.prototype = Real.prototype;
    Pinned.supportedLocalesOf = Real.supportedLocalesOf;
    Object.defineProperty(Real.prototype, 'constructor', { value: Pinned, writable: true, configurable: true });
    Object.defineProperty(Intl, name, { value: Pinned, writable: true, configurable: true });
  }
  const pinLocaleArg = (proto, name, index) => {
    const real = proto[name];
    Object.defineProperty(proto, name, {
      value: function (...args) {
        if (args[index] === undefined) args[index] = LOCALE;
        return real.apply(this, args);
      },
      writable: true,
      configurable: true,
    });
  };
  pinLocaleArg(String.prototype, 'localeCompare', 1);
  pinLocaleArg(String.prototype, 'toLocaleUpperCase', 0);
  pinLocaleArg(String.prototype, 'toLocaleLowerCase', 0);
  pinLocaleArg(Number.prototype, 'toLocaleString', 0);
  pinLocaleArg(BigInt.prototype, 'toLocaleString', 0);
  for (const name of ['toLocaleString', 'toLocaleDateString', 'toLocaleTimeString']) pinLocaleArg(RealDate.prototype, name, 0);
  const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const two = (n) => String(n).padStart(2, '0');
  const utcTime = (d) => two(d.getUTCHours()) + ':' + two(d.getUTCMinutes()) + ':' + two(d.getUTCSeconds()) + ' GMT+0000 (Coordinated Universal Time)';
  const utcDate = (d) => {
    const y = d.getUTCFullYear();
    return DAYS[d.getUTCDay()] + ' ' + MONTHS[d.getUTCMonth()] + ' ' + two(d.getUTCDate()) + ' ' + (y < 0 ? '-' + String(-y).padStart(6, '0') : String(y).padStart(4, '0'));
  };
  const dateMethod = (name, format) => Object.defineProperty(RealDate.prototype, name, {
    value: function () { return Number.isNaN(this.getTime()) ? 'Invalid Date' : format(this); },
    writable: true,
    configurable: true,
  });
  dateMethod('toString', (d) => utcDate(d) + ' ' + utcTime(d));
  dateMethod('toDateString', utcDate);
  dateMethod('toTimeString', utcTime);

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

  const describe = (err) => {
    try {
      if (err instanceof Error) return { name: String(err.name), message: String(err.message), stack: String(err.stack || '') };
      return { name: 'Error', message: String(err), stack: '' };
    } catch (e) {
      return { name: 'Error', message: 'the contract threw a value that cannot be described', stack: '' };
    }
  };
  const finish = (outcome) => {
    try {
      refs.done.applyIgnored(undefined, [outcome], copy);
    } catch (err) {
      refs.done.applyIgnored(undefined, [{ ok: false, error: { name: 'SandboxError', message: 'the transaction outcome cannot be copied out of the sandbox: ' + describe(err).message, stack: '' } }], copy);
    }
  };
  let begun = false;
  return function entry(op, a, b, c) {
    // Whatever runs until the next entry is this context's: the host blames an out-of-memory disposal on it.
    running[0] = contextId;
    if (op === 'resume') {
      const call = pending.get(a);
      if (!call) return;
      pending.delete(a);
      if (b) call.resolve(c);
      else {
        const error = new Error(c.message);
        error.name = c.name;
        call.reject(error);
      }
      return;
    }
    if (op !== 'start' || begun) return;
    begun = true;
    seed(a.txId);
    now = a.timeMs;
    let result;
    try {
      result = Promise.resolve(g.__flexchain.simulate(a));
    } catch (err) {
      result = Promise.reject(err);
    }
    result.then(finish, (err) => finish({ ok: false, error: describe(err) }));
  };
})();
`;
