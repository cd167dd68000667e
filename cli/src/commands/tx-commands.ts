// flexchain invoke, flexchain query.

import type { Command } from 'commander';
import { argumentFromText, FlexChainError } from '@flexchain/sdk';
import type { FlexChainClient } from '@flexchain/sdk/client';
import { printJson, style } from '../output';
import type { CommandContext } from './command-context';
import { connectCli, type NetworkFlags } from './network-context';

export class ContractNotFoundError extends FlexChainError {
  override name = 'ContractNotFoundError';
}

/** Reads command-line arguments as the transaction's declared parameter types. */
async function typedArguments(client: FlexChainClient, contract: string, fn: string, texts: readonly string[]): Promise<unknown[]> {
  const status = await client.status();
  const deployed = status.contracts.find((c) => c.name === contract);
  if (!deployed) {
    throw new ContractNotFoundError(`No contract "${contract}" is deployed.`, { details: `Deployed: ${status.contracts.map((c) => c.name).join(', ') || 'none'}.`, hint: 'Deploy it with `flexchain deploy <dir>`.' });
  }
  const tx = deployed.metadata?.transactions.find((t) => t.name === fn);
  if (!tx) return [...texts];
  return texts.map((text, i) => (tx.params[i] ? argumentFromText(tx.params[i]!.type, text) : text));
}

function show(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v), 2) ?? 'nothing';
}

export function registerTxCommands(program: Command, ctx: CommandContext): void {
  const common = (cmd: Command) =>
    cmd
      .argument('<contract>', 'contract name')
      .argument('<fn>', 'transaction name')
      .argument('[args...]', 'arguments, read as the declared parameter types (objects and arrays as JSON)')
      .option('--data <dir>', 'network data directory (default ./.flexchain)')
      .option('--endpoint <host:port>', 'gateway endpoint')
      .option('--as <mspId/id>', 'identity', 'Org1MSP/client')
      .option('--json', 'print the result as JSON');

  common(program.command('invoke').description('submit a transaction and wait for it to commit')).action(async (contract: string, fn: string, args: string[], opts: NetworkFlags & { json?: boolean }) => {
    ctx.json = Boolean(opts.json);
    const client = connectCli(opts);
    try {
      const result = await client.submit(contract, fn, await typedArguments(client, contract, fn, args));
      if (ctx.json) return printJson(result);
      if (result.result !== undefined) console.log(show(result.result));
      console.log(`${style.green('✔')} committed in block ${result.blockNum} ${style.dim(`(tx ${result.txId})`)}`);
    } finally {
      client.close();
    }
  });

  common(program.command('query').description('evaluate a transaction on one peer without committing it')).action(async (contract: string, fn: string, args: string[], opts: NetworkFlags & { json?: boolean }) => {
    ctx.json = Boolean(opts.json);
    const client = connectCli(opts);
    try {
      const result = await client.evaluate(contract, fn, await typedArguments(client, contract, fn, args));
      if (ctx.json) printJson({ result });
      else console.log(show(result));
    } finally {
      client.close();
    }
  });
}
