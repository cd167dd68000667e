// The flexchain command.

import { relative } from 'node:path';
import { Command, CommanderError } from 'commander';
import { FlexChainError } from '@flexchain/sdk';
import type * as CheckProject from './check/check-project';
import { printCheckReport } from './check/report';
import { registerBenchCommands } from './commands/bench-commands';
import type { CommandContext } from './commands/command-context';
import { registerContractCommands } from './commands/contract-commands';
import { registerNetworkCommands } from './commands/network-commands';
import { registerTxCommands } from './commands/tx-commands';
import { StepFailedError } from './ui/spinner';
import { createProject, listTemplates } from './scaffold/new-project';
import { printJson, style } from './output';

/** Exit codes: 0 success, 1 the command found problems or failed, 2 bad usage. */
const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

export async function main(argv: readonly string[]): Promise<number> {
  const ctx: CommandContext = { json: false, exitCode: EXIT_OK };
  const program = new Command()
    .name('flexchain')
    .description('Build, test and run FlexChain contracts.')
    .version(version(), '-v, --version')
    // Options after a command belong to it, so `deploy --version 2.0` is the contract's version.
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(style.red(text)) });

  program
    .command('new')
    .description('create a contract project from a template')
    .argument('<name>', 'project name (lower-case letters, digits, dashes)')
    .option('-t, --template <template>', `template: ${listTemplates().map((t) => t.name).join(', ')}`, 'basic')
    .option('-d, --directory <dir>', 'where to create it (default: ./<name>)')
    .option('--json', 'print the result as JSON')
    .action((name: string, opts: { template: string; directory?: string; json?: boolean }) => {
      ctx.json = Boolean(opts.json);
      const result = createProject({ name, template: opts.template, ...(opts.directory ? { directory: opts.directory } : {}) });
      if (ctx.json) return printJson(result);
      console.log(`${style.green('✔')} Created ${style.bold(name)} from the ${result.template} template in ${result.directory}`);
      for (const file of result.files) console.log(style.dim(`    ${file}`));
      console.log(`\nNext:\n  cd ${relativeOrAbsolute(result.directory)}\n  npm install\n  npm test`);
    });

  program
    .command('check')
    .description('find non-deterministic code in a contract before deploying it')
    .argument('[dir]', 'contract project directory or source file', '.')
    .option('--json', 'print diagnostics as JSON')
    .action((dir: string, opts: { json?: boolean }) => {
      ctx.json = Boolean(opts.json);
      // Loaded on use: the TypeScript compiler behind it takes most of the CLI's start-up otherwise.
      const { checkProject } = require('./check/check-project') as typeof CheckProject;
      const report = checkProject(dir);
      if (ctx.json) printJson({ ok: report.errorCount === 0, ...report });
      else printCheckReport(report);
      if (report.errorCount > 0) ctx.exitCode = EXIT_FAILED;
    });

  registerContractCommands(program, ctx);
  registerNetworkCommands(program, ctx);
  registerTxCommands(program, ctx);
  registerBenchCommands(program, ctx);

  try {
    await program.parseAsync(argv as string[]);
    return ctx.exitCode;
  } catch (caught) {
    if (caught instanceof CommanderError) return caught.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    const step = caught instanceof StepFailedError ? caught.step : undefined;
    const err = caught instanceof StepFailedError ? caught.cause : caught;
    if (ctx.json) printJson({ error: { ...errorJson(err), ...(step ? { step } : {}) } });
    else console.error(style.red(`Error${step ? ` (${step})` : ''}: ${err instanceof Error ? err.message : String(err)}`));
    return err instanceof FlexChainError || step ? EXIT_FAILED : EXIT_USAGE;
  }
}

function errorJson(err: unknown) {
  if (err instanceof FlexChainError) return { name: err.name, message: err.shortMessage, details: err.details, hint: err.hint };
  return { name: 'Error', message: err instanceof Error ? err.message : String(err) };
}

function relativeOrAbsolute(dir: string): string {
  const rel = relative(process.cwd(), dir);
  return rel && !rel.startsWith('..') ? rel : dir;
}

function version(): string {
  return (require('../package.json') as { version: string }).version;
}
