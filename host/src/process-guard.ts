// A process-level guard for long-running roles (`flexchain up`, `flexchain node`).
//
// Node exits on an unhandled rejection or an uncaught exception. In a node that
// serves many clients, one stray callback must not take every client down: the
// guard logs the error with its stack and the process keeps serving. Each code
// path is still expected to handle its own errors; the guard is the last line.

export type GuardLog = (level: 'error', message: string) => void;

let installed: { log: GuardLog; count: number } | undefined;

function report(kind: string, reason: unknown): void {
  const text = reason instanceof Error ? (reason.stack ?? reason.message) : String(reason);
  installed?.log('error', `${kind} (the node keeps serving): ${text}`);
}

const onRejection = (reason: unknown) => report('unhandled rejection', reason);
const onException = (err: unknown) => report('uncaught exception', err);

/** Installs the guard once per process; the returned function removes it when every installer has. */
export function guardProcess(log: GuardLog): () => void {
  if (installed) installed.count++;
  else {
    installed = { log, count: 1 };
    process.on('unhandledRejection', onRejection);
    process.on('uncaughtException', onException);
  }
  let removed = false;
  return () => {
    if (removed || !installed) return;
    removed = true;
    if (--installed.count > 0) return;
    installed = undefined;
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  };
}
