// flexchain build, flexchain deploy.

import type * as CheckProject from '../check/check-project';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { FlexChainError } from '@flexchain/sdk';
import { buildPackage, parsePackage, parsePolicy, type BuiltPackage } from '@flexchain/host';
import { printCheckReport } from '../check/report';
import { printJson, style } from '../output';
import { steps } from '../ui/spinner';
import type { CommandContext } from './command-context';
import { connectCli, localAdminClients, type NetworkFlags } from './network-context';

export class DeterminismCheckFailedError extends FlexChainError {
  override name = 'DeterminismCheckFailedError';
}

const DEFAULT_POLICY = "OR('Org1.member')";

/** Runs the determinism check, then bundles; refuses to build code that fails the check. */
async function checkAndBuild(dir: string, ctx: CommandContext, run = steps(ctx.json)): Promise<BuiltPackage> {
  await run.step(
    'Checking determinism',
    async () => {
      // Loaded on use: the TypeScript compiler behind it takes most of the CLI's start-up otherwise.
      const { checkProject } = require('../check/check-project') as typeof CheckProject;
      const report = checkProject(dir);
      if (report.errorCount > 0) {
        if (!ctx.json) printCheckReport(report);
        throw new DeterminismCheckFailedError(`${report.errorCount} determinism error(s) in ${dir}; nothing was built.`, { hint: 'Fix the findings above (see `flexchain check`).' });
      }
      return report;
    },
    (r) => `Determinism check passed (${r.files.length} file${r.files.length === 1 ? '' : 's'}${r.warningCount ? `, ${r.warningCount} warning${r.warningCount === 1 ? '' : 's'}` : ''})`,
  );
  return run.step('Bundling contract', () => buildPackage(dir), (b) => `Built ${b.pkg.name} → ${b.file} (${(b.pkg.code.length / 1024).toFixed(0)} KiB, id ${b.id.slice(0, 12)})`);
}

export function registerContractCommands(program: Command, ctx: CommandContext): void {
  program
    .command('build')
    .description('check determinism, bundle the contract and its dependencies, write a package')
    .argument('[dir]', 'contract project directory', '.')
    .option('--json', 'print the result as JSON')
    .action(async (dir: string, opts: { json?: boolean }) => {
      ctx.json = Boolean(opts.json);
      const built = await checkAndBuild(resolve(dir), ctx);
      if (ctx.json) return printJson({ id: built.id, name: built.pkg.name, file: built.file, metadata: built.pkg.metadata });
      for (const tx of built.pkg.metadata.transactions) {
        console.log(`  ${style.bold(tx.name)}(${tx.params.map((p) => p.name).join(', ')}) ${style.dim(tx.kind)}`);
      }
    });

  program
    .command('deploy')
    .description('build if needed, install on the network, approve for each organisation whose admin key is in the data directory, and activate (or upgrade) with a version and endorsement policy')
    .argument('[target]', 'contract project directory or .fcpkg package file', '.')
    .option('--version <version>', 'version to activate (deploying a new version upgrades)', '1.0')
    .option('--policy <policy>', "endorsement policy, e.g. \"AND('Org1.member', OutOf(1, 'Org2.peer', 'Org3.peer'))\"", DEFAULT_POLICY)
    .option('--data <dir>', 'network data directory (default ./.flexchain)')
    .option('--endpoint <host:port>', 'gateway endpoint (default: from the data directory)')
    .option('--as <mspId/id>', 'admin identity to deploy as', 'Org1MSP/admin')
    .option('--no-approve-local', "approve only as --as, not also as the other organisations' admins found in the data directory")
    .option('--json', 'print the result as JSON')
    .action(async (target: string, opts: NetworkFlags & { version: string; policy: string; approveLocal: boolean; json?: boolean }) => {
      ctx.json = Boolean(opts.json);
      const run = steps(ctx.json);
      await run.step('Checking the endorsement policy', async () => parsePolicy(opts.policy), () => `Policy ${opts.policy}`);
      const path = resolve(target);
      const packageJson = existsSync(path) && statSync(path).isFile() ? readFileSync(path, 'utf8') : readFileSync((await checkAndBuild(path, ctx, run)).file, 'utf8');
      const pkg = parsePackage(packageJson, path);
      const client = connectCli(opts, 'Org1MSP/admin');
      const others = opts.approveLocal ? localAdminClients(opts, client.identity.mspId) : [];
      try {
        const installed = await run.step('Installing on the peers', () => client.install(packageJson), (r) => `Installed ${r.name} (package ${r.packageId.slice(0, 12)}) on every peer`);
        const definition = { name: installed.name, version: opts.version, packageId: installed.packageId, policy: opts.policy };
        for (const approver of [client, ...others]) {
          await run.step(`Approving for ${approver.identity.mspId}`, () => approver.approve(definition), () => `Approved by ${approver.identity.mspId}`);
        }
        const activated = await run.step(
          `Activating ${pkg.name} ${opts.version}`,
          () => client.submit('_lifecycle', 'activate', [{ name: installed.name, version: opts.version, packageId: installed.packageId, policy: opts.policy }]),
          (r) => `Activated ${pkg.name} ${opts.version} in block ${r.blockNum}`,
        );
        const sequence = (activated.result as { sequence: number }).sequence;
        if (ctx.json) printJson({ name: pkg.name, version: opts.version, policy: opts.policy, packageId: installed.packageId, sequence, txId: activated.txId, blockNum: activated.blockNum });
        else console.log(`${style.green('✔')} ${pkg.name} ${opts.version} is live${sequence > 1 ? ` (upgrade, sequence ${sequence})` : ''}. Try: flexchain query ${pkg.name} <fn> [args…]`);
      } finally {
        for (const c of [client, ...others]) c.close();
      }
    });
}
