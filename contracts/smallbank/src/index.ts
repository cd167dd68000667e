// Smallbank: each customer has a checking and a savings account. Five write
// transactions (Amalgamate, TransactSavings, DepositChecking, SendPayment,
// WriteCheck) and one read (Query), as in the benchmark the FlexChain paper uses.
// Balances are integers (smallest currency unit) stored as canonical JSON.

import { Context, Contract, Evaluate, Returns, Submit, t } from '@flexchain/sdk';

const accountId = t.string({ minLength: 1, maxLength: 64 });
const amount = t.int({ min: 1 });
/** Bound on accounts created by one seedAccounts call, so a preload transaction stays within rw-set limits. */
const SEED_ACCOUNTS_PER_TX_MAX = 1000;
/** Charged by WriteCheck when the customer's total balance does not cover the check. */
const OVERDRAFT_PENALTY = 1;

const checkingKey = (id: string) => `checking:${id}`;
const savingsKey = (id: string) => `savings:${id}`;

export class SmallbankContract extends Contract {
  static override contractName = 'smallbank';

  @Submit(['id', accountId], ['checking', t.int({ min: 0 })], ['savings', t.int({ min: 0 })])
  async createAccount(ctx: Context, id: string, checking: number, savings: number): Promise<void> {
    if ((await ctx.stub.getState(checkingKey(id))) !== undefined) throw new Error(`account ${id} already exists`);
    await ctx.stub.putJSON(checkingKey(id), checking);
    await ctx.stub.putJSON(savingsKey(id), savings);
  }

  /** Creates accounts "<first>" .. "<first+count-1>" with the same balances; used to preload benchmarks. */
  @Submit(['first', t.int({ min: 0 })], ['count', t.int({ min: 1, max: SEED_ACCOUNTS_PER_TX_MAX })], ['checking', t.int({ min: 0 })], ['savings', t.int({ min: 0 })])
  async seedAccounts(ctx: Context, first: number, count: number, checking: number, savings: number): Promise<void> {
    for (let i = first; i < first + count; i++) {
      await ctx.stub.putJSON(checkingKey(String(i)), checking);
      await ctx.stub.putJSON(savingsKey(String(i)), savings);
    }
  }

  /** Moves all of `from`'s funds (savings and checking) into `to`'s checking account. */
  @Submit(['from', accountId], ['to', accountId])
  async amalgamate(ctx: Context, from: string, to: string): Promise<void> {
    if (from === to) throw new Error('cannot amalgamate an account with itself');
    const total = (await balance(ctx, savingsKey(from))) + (await balance(ctx, checkingKey(from)));
    const target = await balance(ctx, checkingKey(to));
    await ctx.stub.putJSON(savingsKey(from), 0);
    await ctx.stub.putJSON(checkingKey(from), 0);
    await ctx.stub.putJSON(checkingKey(to), target + total);
  }

  /** Adds `amount` (negative to withdraw) to savings; the balance may not go below zero. */
  @Submit(['id', accountId], ['amount', t.int()])
  async transactSavings(ctx: Context, id: string, change: number): Promise<void> {
    const savings = await balance(ctx, savingsKey(id));
    if (savings + change < 0) throw new Error(`insufficient funds: savings of ${id} is ${savings}, cannot withdraw ${-change}`);
    await ctx.stub.putJSON(savingsKey(id), savings + change);
  }

  @Submit(['id', accountId], ['amount', amount])
  async depositChecking(ctx: Context, id: string, deposit: number): Promise<void> {
    await ctx.stub.putJSON(checkingKey(id), (await balance(ctx, checkingKey(id))) + deposit);
  }

  @Submit(['from', accountId], ['to', accountId], ['amount', amount])
  async sendPayment(ctx: Context, from: string, to: string, payment: number): Promise<void> {
    if (from === to) throw new Error('cannot send a payment to the same account');
    const fromChecking = await balance(ctx, checkingKey(from));
    if (fromChecking < payment) throw new Error(`insufficient funds: checking of ${from} is ${fromChecking}, cannot send ${payment}`);
    const toChecking = await balance(ctx, checkingKey(to));
    await ctx.stub.putJSON(checkingKey(from), fromChecking - payment);
    await ctx.stub.putJSON(checkingKey(to), toChecking + payment);
  }

  /** Cashes a check against checking; if savings plus checking cannot cover it, a penalty is charged too. */
  @Submit(['id', accountId], ['amount', amount])
  async writeCheck(ctx: Context, id: string, check: number): Promise<void> {
    const checking = await balance(ctx, checkingKey(id));
    const savings = await balance(ctx, savingsKey(id));
    const charge = savings + checking < check ? check + OVERDRAFT_PENALTY : check;
    await ctx.stub.putJSON(checkingKey(id), checking - charge);
  }

  @Evaluate(['id', accountId])
  @Returns(t.object({ checking: t.int(), savings: t.int() }))
  async query(ctx: Context, id: string): Promise<{ checking: number; savings: number }> {
    return { checking: await balance(ctx, checkingKey(id)), savings: await balance(ctx, savingsKey(id)) };
  }
}

async function balance(ctx: Context, key: string): Promise<number> {
  const value = await ctx.stub.getJSON<number>(key);
  if (value === undefined) throw new Error(`account ${key.slice(key.indexOf(':') + 1)} not found`);
  return value;
}

export default SmallbankContract;
