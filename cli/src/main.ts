// The flexchain command.

import { Command, CommanderError } from 'commander';
import { FlexChainError } from '@flexchain/sdk';
import { checkProject } from './check/check-project';
import type { CheckReport } from './check/diagnostic';
import { createProject, listTemplates } from './scaffold/new-project';
import { printJson, style } from './output';

/** Exit codes: 0 success, 1 the command found problems or failed, 2 bad usage. */
const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

export async function main(argv: readonly string[]): Promise<number> {
  let exitCode = EXIT_OK;
  let json = false;
  const program = new Command()
    .name('flexchain')
    .description('Build, test and run FlexChain contracts.')
    .version(version(), '-v, --version')
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
      json = Boolean(opts.json);
      const result = createProject({ name, template: opts.template, ...(opts.directory ? { directory: opts.directory } : {}) });
      if (json) return printJson(result);
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
      json = Boolean(opts.json);
      const report = checkProject(dir);
      if (json) printJson({ ok: report.errorCount === 0, ...report });
      else printCheckReport(report);
      if (report.errorCount > 0) exitCode = EXIT_FAILED;
    });

  try {
    await program.parseAsync(argv as string[]);
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    if (json) printJson({ error: errorJson(err) });
    else console.error(style.red(`Error: ${err instanceof Error ? err.message : String(err)}`));
    return err instanceof FlexChainError ? EXIT_FAILED : EXIT_USAGE;
  }
}

function printCheckReport(report: CheckReport): void {
  for (const d of report.diagnostics) {
    const severity = d.severity === 'error' ? style.red('error  ') : style.yellow('warning');
    console.log(`${style.bold(`${d.file}:${d.line}:${d.column}`)}  ${severity}  ${d.message}  ${style.dim(d.rule)}`);
    console.log(style.dim(`    hint: ${d.hint}`));
  }
  const scanned = `${report.files.length} file${report.files.length === 1 ? '' : 's'}`;
  if (report.diagnostics.length === 0) console.log(`${style.green('✔')} No determinism hazards in ${scanned}.`);
  else {
    const summary = `${report.errorCount} error${report.errorCount === 1 ? '' : 's'}, ${report.warningCount} warning${report.warningCount === 1 ? '' : 's'} in ${scanned}`;
    console.log(`\n${report.errorCount > 0 ? style.red('✖') : style.yellow('!')} ${summary}.`);
  }
}

function errorJson(err: unknown) {
  if (err instanceof FlexChainError) return { name: err.name, message: err.shortMessage, details: err.details, hint: err.hint };
  return { name: 'Error', message: err instanceof Error ? err.message : String(err) };
}

function relativeOrAbsolute(dir: string): string {
  const rel = require('node:path').relative(process.cwd(), dir) as string;
  return rel && !rel.startsWith('..') ? rel : dir;
}

function version(): string {
  return (require('../package.json') as { version: string }).version;
}
