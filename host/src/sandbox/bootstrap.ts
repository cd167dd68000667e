// Code run once in every contract isolate, after `ses` and before anything of
// the contract's: it turns the isolate's one context into a hardened realm that
// is deterministic by construction, and it is the only code that talks to the host.
//
// - `lockdown()` (ses) freezes every intrinsic. The global object is rebuilt
//   from a ses Compartment's (the shared, safe intrinsics) and frozen, so no
//   transaction can change what another one sees.
// - Math.random is an sfc32 generator seeded from the tx id; Date and
//   Date.now() read the proposal timestamp (Date with arguments works as usual).
//   Both read the state of the transaction the host entered, so transactions
//   that share the realm never share a generator or a clock.
// - WeakRef, FinalizationRegistry, SharedArrayBuffer, Atomics, WebAssembly,
//   timers, eval, Compartment and the Function constructors throw
//   DeterminismError naming the call (they stay defined, so `typeof X` feature
//   checks do not crash).
// - console.* goes to the host log, tagged with contract and tx by the host.
// - Time zone and locale are pinned, so endorsers on hosts with other TZ or LANG
//   settings agree: the executor runs isolates in UTC (time-zone.ts), every Intl
//   constructor and toLocale*/localeCompare call without an explicit locale uses
//   en-US, and Date's toString names UTC in English.
// - The SDK is evaluated once and hardened.
// - Every transaction instantiates the contract module afresh: its module
//   variables, classes, instances and closures are its own, and its
//   `globalThis` is a fresh object over the frozen global, so what it writes
//   there is gone with it.
//
// The host drives the realm; it never hands the isolate a promise. The script
// evaluates to an entry function:
//   entry('install', moduleFactory)         the contract module, compiled once
//   entry('start', n, request, ended)       starts transaction n; forgets the ended ones
//   entry('resume', n, id, ok, value)       settles transaction n's state call `id`
//   entry('drain')                          runs what a cut-off call left queued, as no transaction
//   entry('metadata')                       the contract's metadata, from a fresh instance
// State calls go out through __fcHostRequest(n, id, op, ...args), logs through
// __fcHostLog(n, level, message) and the outcome through __fcHostDone(n,
// outcome), all fire-and-forget. Every piece of contract code runs inside a host
// call for one transaction, which the host times and attributes (the shared
// `running` marker holds n); once the host has the outcome it never enters that
// transaction again, so nothing the transaction left pending can run.
//
// Inputs, set on the global by the realm and removed here: __fcHostRequest,
// __fcHostDone, __fcHostLog (ivm References) and __fcHostRunning (a shared
// Int32Array buffer). `__FC_SDK__` is replaced by the SDK's CommonJS body.

const SDK_PLACEHOLDER = '__FC_SDK__';

const BOOTSTRAP_TEMPLATE = String.raw`
(function () {
  'use strict';
  const g = globalThis;
  const refs = { request: g.__fcHostRequest, done: g.__fcHostDone, log: g.__fcHostLog };
  const running = new Int32Array(g.__fcHostRunning);
  for (const name of ['__fcHostRequest', '__fcHostDone', '__fcHostLog', '__fcHostRunning']) delete g[name];
  const copy = { arguments: { copy: true } };

  // Locale and time zone pins go into the intrinsics before lockdown freezes them.
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
  for (const name of ['toLocaleString', 'toLocaleDateString', 'toLocaleTimeString']) pinLocaleArg(Date.prototype, name, 0);
  const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const two = (n) => String(n).padStart(2, '0');
  const utcTime = (d) => two(d.getUTCHours()) + ':' + two(d.getUTCMinutes()) + ':' + two(d.getUTCSeconds()) + ' GMT+0000 (Coordinated Universal Time)';
  const utcDate = (d) => {
    const y = d.getUTCFullYear();
    return DAYS[d.getUTCDay()] + ' ' + MONTHS[d.getUTCMonth()] + ' ' + two(d.getUTCDate()) + ' ' + (y < 0 ? '-' + String(-y).padStart(6, '0') : String(y).padStart(4, '0'));
  };
  const dateMethod = (name, format) => Object.defineProperty(Date.prototype, name, {
    value: function () { return Number.isNaN(this.getTime()) ? 'Invalid Date' : format(this); },
    writable: true,
    configurable: true,
  });
  dateMethod('toString', (d) => utcDate(d) + ' ' + utcTime(d));
  dateMethod('toDateString', utcDate);
  dateMethod('toTimeString', utcTime);
  const RealDate = Date;

  // localeTaming 'unsafe' keeps the en-US pins above; errorTaming 'unsafe' keeps stacks for source maps.
  g.lockdown({ errorTaming: 'unsafe', consoleTaming: 'unsafe', localeTaming: 'unsafe', overrideTaming: 'moderate', reporting: 'none' });
  const harden = g.harden;

  // The transaction the host entered: its generator, its clock, its log tag.
  const idle = { n: 0, now: 0, a: 0, b: 0, c: 0, d: 0 };
  let current = idle;
  const txs = new Map();

  // sfc32 seeded by a 128-bit FNV-1a mix of the tx id: same tx id, same numbers, on every endorser.
  const next = (s) => {
    const t = (((s.a + s.b) >>> 0) + s.d) >>> 0;
    s.d = (s.d + 1) >>> 0;
    s.a = s.b ^ (s.b >>> 9);
    s.b = (s.c + (s.c << 3)) >>> 0;
    s.c = (s.c << 21) | (s.c >>> 11);
    s.c = (s.c + t) >>> 0;
    return t / 4294967296;
  };
  const random = function random() { return next(current); };
  const seed = (s, text) => {
    let a = 0x811c9dc5, b = 0x01000193, c = 0x9e3779b9, d = 0x85ebca6b;
    for (let i = 0; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      a = Math.imul(a ^ ch, 0x01000193) >>> 0;
      b = Math.imul(b ^ a, 0x85ebca6b) >>> 0;
      c = Math.imul(c ^ b, 0xc2b2ae35) >>> 0;
      d = Math.imul(d ^ c, 0x27d4eb2f) >>> 0;
    }
    s.a = a; s.b = b; s.c = c; s.d = d;
    for (let i = 0; i < 16; i++) next(s);
  };
  seed(idle, '');

  class DeterminismError extends Error {
    constructor(what, hint) {
      super(what + ' is not available in contracts: ' + hint);
      this.name = 'DeterminismError';
    }
  }
  const forbidden = (what, hint) => function () { throw new DeterminismError(what, hint); };
  const codeHint = 'code built at run time is not allowed';

  // The global: the shared intrinsics of a ses Compartment, then the pinned and forbidden ones.
  const shared = new g.Compartment().globalThis;
  const globals = {};
  for (const name of Reflect.ownKeys(shared)) if (typeof name === 'string' && name !== 'globalThis') globals[name] = shared[name];
  // ses keeps these out of compartments (their results can differ between engines); one V8 version on every
  // endorser computes them alike, and contracts' libraries need them. lockdown froze them with the rest.
  for (const name of ['Intl', 'Float32Array', 'Float64Array']) globals[name] = g[name];
  const mathDescriptors = Object.getOwnPropertyDescriptors(shared.Math);
  mathDescriptors.random = { value: random, writable: false, enumerable: false, configurable: false };
  globals.Math = Object.create(Object.prototype, mathDescriptors);
  function FlexDate(...args) {
    if (!new.target) return new RealDate(current.now).toString();
    return args.length === 0 ? new RealDate(current.now) : new RealDate(...args);
  }
  FlexDate.prototype = RealDate.prototype;
  FlexDate.now = function now() { return current.now; };
  FlexDate.parse = RealDate.parse;
  FlexDate.UTC = RealDate.UTC;
  globals.Date = FlexDate;
  globals.DeterminismError = DeterminismError;
  const gcHint = 'garbage collection runs at different times on each node';
  globals.WeakRef = forbidden('WeakRef', gcHint);
  globals.FinalizationRegistry = forbidden('FinalizationRegistry', gcHint);
  const sharedHint = 'contracts run single-threaded';
  globals.SharedArrayBuffer = forbidden('SharedArrayBuffer', sharedHint);
  const atomics = {};
  for (const name of ['add', 'and', 'compareExchange', 'exchange', 'isLockFree', 'load', 'notify', 'or', 'store', 'sub', 'wait', 'waitAsync', 'xor']) atomics[name] = forbidden('Atomics.' + name, sharedHint);
  globals.Atomics = atomics;
  const wasm = {};
  for (const name of ['Module', 'Instance', 'Memory', 'Table', 'Global', 'compile', 'instantiate', 'validate', 'compileStreaming', 'instantiateStreaming']) {
    wasm[name] = forbidden('WebAssembly.' + name, 'WebAssembly is not allowed in contracts');
  }
  globals.WebAssembly = wasm;
  for (const name of ['setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval', 'clearImmediate', 'queueMicrotask']) {
    globals[name] = forbidden(name, 'a transaction runs to completion once; do the work directly');
  }
  globals.eval = forbidden('eval', codeHint);
  globals.Compartment = forbidden('Compartment', codeHint);
  const functionCtor = forbidden('Function', codeHint);
  functionCtor.prototype = Function.prototype;
  globals.Function = functionCtor;

  const hostLog = (n, level, message) => refs.log.applyIgnored(undefined, [n, level, String(message)], copy);
  const format = (args) => args.map((x) => {
    if (typeof x === 'string') return x;
    if (x instanceof Error) return x.stack || String(x);
    if (typeof x === 'bigint') return x + 'n';
    try { return JSON.stringify(x, (k, v) => (typeof v === 'bigint' ? v + 'n' : v)); } catch (e) { return String(x); }
  }).join(' ');
  const log = (level) => (...args) => hostLog(current.n, level, format(args));
  globals.console = { log: log('info'), info: log('info'), debug: log('debug'), warn: log('warn'), error: log('error'), trace: log('debug') };

  // Object and Reflect are among the names removed and put back.
  const { defineProperty, getOwnPropertyDescriptor, freeze } = Object;
  const { ownKeys } = Reflect;
  // undefined, NaN and Infinity are not configurable, and already what they should be.
  for (const name of ownKeys(g)) if (getOwnPropertyDescriptor(g, name).configurable) delete g[name];
  for (const name of ownKeys(globals)) {
    if (getOwnPropertyDescriptor(g, name)) continue;
    defineProperty(g, name, { value: harden(globals[name]), writable: false, enumerable: false, configurable: false });
  }
  defineProperty(g, 'globalThis', { value: g, writable: false, enumerable: false, configurable: false });
  freeze(g);

  const sdkModule = { exports: {} };
  (function (module, exports) {
${SDK_PLACEHOLDER}
  })(sdkModule, sdkModule.exports);
  // Bundled exports are getters, which harden does not follow: copy the values out, then harden them.
  const sdk = {};
  for (const name of Object.keys(sdkModule.exports)) sdk[name] = sdkModule.exports[name];
  harden(sdk);
  const requireModule = harden(function require(name) {
    if (name === '@flexchain/sdk') return sdk;
    throw new Error('Cannot find module ' + JSON.stringify(String(name)) + ': at run time a contract can import only @flexchain/sdk; bundle its other dependencies with flexchain build');
  });

  // A fresh instance of the contract module: its own bindings, classes, closures and globalThis.
  let moduleFactory;
  const instantiate = () => {
    if (typeof moduleFactory !== 'function') throw new Error('the contract module was not installed in its sandbox');
    const module = { exports: {} };
    moduleFactory(requireModule, module, module.exports, Object.create(g));
    return module.exports;
  };

  const FROZEN = /read.only property|not extensible|Cannot redefine property|Cannot delete property|Cannot assign to|object is frozen/;
  const describe = (err) => {
    try {
      if (err instanceof Error) {
        const name = String(err.name);
        let message = String(err.message);
        // lockdown makes every Function constructor inert; name it as the forbidden call it is.
        if (err instanceof TypeError && /constructor is not a valid constructor/.test(message)) {
          return { name: 'DeterminismError', message: 'Function is not available in contracts: ' + codeHint, stack: String(err.stack || '') };
        }
        if (err instanceof TypeError && FROZEN.test(message)) {
          message += ' (built-ins and globals are frozen in contracts: keep data in your own objects, and state in the world state)';
        }
        return { name, message, stack: String(err.stack || '') };
      }
      return { name: 'Error', message: String(err), stack: '' };
    } catch (e) {
      return { name: 'Error', message: 'the contract threw a value that cannot be described', stack: '' };
    }
  };
  const finish = (tx, outcome) => {
    txs.delete(tx.n);
    try {
      refs.done.applyIgnored(undefined, [tx.n, outcome], copy);
    } catch (err) {
      refs.done.applyIgnored(undefined, [tx.n, { ok: false, error: { name: 'SandboxError', message: 'the transaction outcome cannot be copied out of the sandbox: ' + describe(err).message, stack: '' } }], copy);
    }
  };
  const request = (tx, op, args) => new Promise((resolve, reject) => {
    const id = tx.nextCall++;
    tx.pending.set(id, { resolve, reject });
    refs.request.applyIgnored(undefined, [tx.n, id, op, ...args], copy);
  });
  const hostFor = (tx) => ({
    get: (key) => request(tx, 'get', [key]),
    range: (start, end, limit) => request(tx, 'range', [start, end, limit]),
    log: (level, message) => hostLog(tx.n, level, message),
  });
  // Whatever runs until the next entry is this transaction's: the host blames an out-of-memory disposal on it.
  const enter = (n) => {
    running[0] = n;
    const tx = txs.get(n);
    current = tx || idle;
    return tx;
  };

  const start = (n, request_, ended) => {
    for (const e of ended) txs.delete(e);
    if (txs.has(n)) return;
    const tx = { n, now: request_.timeMs, a: 0, b: 0, c: 0, d: 0, pending: new Map(), nextCall: 0 };
    seed(tx, request_.txId);
    txs.set(n, tx);
    enter(n);
    let result;
    try {
      result = Promise.resolve(instantiate().simulate(request_, hostFor(tx)));
    } catch (err) {
      result = Promise.reject(err);
    }
    result.then((outcome) => finish(tx, outcome), (err) => finish(tx, { ok: false, error: describe(err) }));
  };

  return function entry(op, a, b, c, d) {
    switch (op) {
      case 'install':
        moduleFactory = a;
        return;
      case 'start':
        return start(a, b, c);
      case 'resume': {
        const tx = enter(a);
        const call = tx && tx.pending.get(b);
        if (!call) return;
        tx.pending.delete(b);
        if (c) call.resolve(d);
        else {
          const error = new Error(d.message);
          error.name = d.name;
          call.reject(error);
        }
        return;
      }
      case 'drain':
        enter(0);
        return;
      case 'metadata':
        enter(0);
        return instantiate().metadata();
    }
  };
})();
`;

/** The bootstrap with the SDK's CommonJS body (sandbox-sdk.ts) inlined. */
export function bootstrapSource(sdkSource: string): string {
  const at = BOOTSTRAP_TEMPLATE.indexOf(SDK_PLACEHOLDER);
  return BOOTSTRAP_TEMPLATE.slice(0, at) + sdkSource + BOOTSTRAP_TEMPLATE.slice(at + SDK_PLACEHOLDER.length);
}
