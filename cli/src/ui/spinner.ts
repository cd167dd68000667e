// A spinner for long steps. On a terminal it animates one line per step; in a
// pipe or with --json it prints nothing until the step ends, then one line.

import { style } from '../output';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
/** Time between spinner frames, in ms. */
const FRAME_INTERVAL_MS = 80;

export interface Steps {
  /** Runs `work` as a named step; on failure the step is marked failed and the error says which step. */
  step<T>(label: string, work: () => Promise<T>, done?: (result: T) => string): Promise<T>;
}

export class StepFailedError extends Error {
  constructor(
    readonly step: string,
    override readonly cause: unknown,
  ) {
    super(`${step} failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'StepFailedError';
  }
}

export function steps(quiet: boolean): Steps {
  const tty = Boolean(process.stderr.isTTY) && !quiet;
  return {
    async step(label, work, done) {
      let frame = 0;
      const timer = tty ? setInterval(() => process.stderr.write(`\r${style.cyan(FRAMES[frame++ % FRAMES.length]!)} ${label}…`), FRAME_INTERVAL_MS) : undefined;
      const clear = () => {
        if (timer) clearInterval(timer);
        if (tty) process.stderr.write('\r\u001b[2K');
      };
      try {
        const result = await work();
        clear();
        if (!quiet) process.stderr.write(`${style.green('✔')} ${done ? done(result) : label}\n`);
        return result;
      } catch (err) {
        clear();
        if (!quiet) process.stderr.write(`${style.red('✖')} ${label}\n`);
        throw new StepFailedError(label, err);
      }
    },
  };
}
