// Real flexchain processes for tests: started from the built CLI, ready once
// they print their JSON announcement, stopped with a signal.

import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
export const FLEXCHAIN_BIN = join(ROOT, 'cli', 'bin', 'flexchain.js');
const READY_TIMEOUT_MS = 30_000;

/** Starts `flexchain <args>` (which must include --json) and resolves with its ready announcement. */
export function startJson(args: string[]): Promise<{ child: ChildProcess; ready: any; logs: () => string }> {
  const child = spawn(FLEXCHAIN_BIN, args, { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`flexchain ${args[0]} did not start:\n${stderr}`)), READY_TIMEOUT_MS);
    child.stdout!.on('data', (d) => {
      stdout += d;
      try {
        const ready = JSON.parse(stdout);
        clearTimeout(timer);
        resolve({ child, ready, logs: () => stderr });
      } catch {
        // not complete yet
      }
    });
    child.on('exit', (code) => reject(new Error(`flexchain ${args[0]} exited ${code}:\n${stderr}`)));
  });
}

export function kill(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.on('exit', () => resolve());
    child.kill(signal);
  });
}

/** A memory node process (`flexchain node --role mnode`) on a free port. */
export async function startMemoryNode(remoteMemory: string): Promise<{ endpoint: string; stop: () => Promise<void> }> {
  const mnode = await startJson(['node', '--role', 'mnode', '--port', '0', '--remote-memory', remoteMemory, '--json']);
  return { endpoint: mnode.ready.endpoint as string, stop: () => kill(mnode.child, 'SIGINT') };
}
