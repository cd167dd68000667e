// Shared state of one CLI run: whether output is JSON, and the exit code.

export interface CommandContext {
  json: boolean;
  exitCode: number;
}
