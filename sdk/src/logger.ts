// Contract logging. Output goes to a sink the runner provides: the test console
// in the mocked world state, the node's log (tagged with contract and tx) on a
// cNode. Formatting is done here without Node's util, which the sandbox lacks.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogRecord {
  readonly level: LogLevel;
  readonly message: string;
}

export type LogSink = (record: LogRecord) => void;

export interface ContractLogger {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

export function createContractLogger(sink: LogSink): ContractLogger {
  const at = (level: LogLevel) => (...args: unknown[]) => sink({ level, message: formatLogArgs(args) });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export function formatLogArgs(args: readonly unknown[]): string {
  return args.map(formatLogArg).join(' ');
}

function formatLogArg(arg: unknown): string {
  if (typeof arg === 'string') return arg;
  if (arg instanceof Error) return arg.stack ?? `${arg.name}: ${arg.message}`;
  if (typeof arg === 'bigint') return `${arg}n`;
  if (arg instanceof Uint8Array) return `<${arg.length} bytes>`;
  if (typeof arg === 'object' && arg !== null) {
    try {
      return JSON.stringify(arg, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? `<${v.length} bytes>` : v));
    } catch {
      return String(arg);
    }
  }
  return String(arg);
}
