// A fungible token. Accounts are "<mspId>::<id>" of the caller; amounts are
// bigint (stored as decimal strings), so supply is not limited to 2^53.
// Only members of the minter organisation may mint.

import { Context, Contract, Evaluate, Returns, Submit, t, toCanonicalJson } from '@flexchain/sdk';

/** Organisation whose members may initialise the token and mint. */
const MINTER_MSP_ID = 'Org1MSP';
const META_KEY = 'meta';

const amount = t.bigint({ min: 1n });
const account = t.string({ minLength: 1, maxLength: 256 });
const metadata = t.object({ name: t.string(), symbol: t.string(), decimals: t.int(), totalSupply: t.bigint() });
type Metadata = ReturnType<typeof metadata.check>;

export class TokenContract extends Contract {
  static override contractName = 'flexchain-template-name';

  @Submit(['name', t.string({ minLength: 1, maxLength: 64 })], ['symbol', t.string({ minLength: 1, maxLength: 16 })], ['decimals', t.int({ min: 0, max: 18 })])
  async initialize(ctx: Context, name: string, symbol: string, decimals: number): Promise<void> {
    this.requireMinter(ctx);
    if ((await ctx.stub.getState(META_KEY)) !== undefined) throw new Error('token is already initialised');
    await ctx.stub.putJSON(META_KEY, { name, symbol, decimals, totalSupply: '0' });
  }

  @Submit(['amount', amount])
  async mint(ctx: Context, value: bigint): Promise<void> {
    this.requireMinter(ctx);
    const meta = await this.metadata(ctx);
    const to = accountOf(ctx);
    await this.setBalance(ctx, to, (await this.balance(ctx, to)) + value);
    await ctx.stub.putJSON(META_KEY, { ...meta, totalSupply: (meta.totalSupply + value).toString() });
    ctx.stub.setEvent('Transfer', toCanonicalJson({ from: '', to, value: value.toString() }));
  }

  @Submit(['amount', amount])
  async burn(ctx: Context, value: bigint): Promise<void> {
    const meta = await this.metadata(ctx);
    const from = accountOf(ctx);
    await this.debit(ctx, from, value);
    await ctx.stub.putJSON(META_KEY, { ...meta, totalSupply: (meta.totalSupply - value).toString() });
    ctx.stub.setEvent('Transfer', toCanonicalJson({ from, to: '', value: value.toString() }));
  }

  @Submit(['to', account], ['amount', amount])
  async transfer(ctx: Context, to: string, value: bigint): Promise<void> {
    await this.move(ctx, accountOf(ctx), to, value);
  }

  @Submit(['spender', account], ['amount', t.bigint({ min: 0n })])
  async approve(ctx: Context, spender: string, value: bigint): Promise<void> {
    const owner = accountOf(ctx);
    await ctx.stub.putJSON(ctx.stub.createCompositeKey('allowance', [owner, spender]), value.toString());
    ctx.stub.setEvent('Approval', toCanonicalJson({ owner, spender, value: value.toString() }));
  }

  @Submit(['from', account], ['to', account], ['amount', amount])
  async transferFrom(ctx: Context, from: string, to: string, value: bigint): Promise<void> {
    const spender = accountOf(ctx);
    const key = ctx.stub.createCompositeKey('allowance', [from, spender]);
    const allowed = BigInt((await ctx.stub.getJSON<string>(key)) ?? '0');
    if (allowed < value) throw new Error(`allowance exceeded: ${spender} may spend ${allowed} of ${from}'s tokens, not ${value}`);
    await ctx.stub.putJSON(key, (allowed - value).toString());
    await this.move(ctx, from, to, value);
  }

  @Evaluate(['account', account])
  @Returns(t.bigint())
  async balanceOf(ctx: Context, who: string): Promise<bigint> {
    return this.balance(ctx, who);
  }

  @Evaluate(['owner', account], ['spender', account])
  @Returns(t.bigint())
  async allowance(ctx: Context, owner: string, spender: string): Promise<bigint> {
    return BigInt((await ctx.stub.getJSON<string>(ctx.stub.createCompositeKey('allowance', [owner, spender]))) ?? '0');
  }

  @Evaluate()
  @Returns(metadata)
  async tokenInfo(ctx: Context): Promise<Metadata> {
    return this.metadata(ctx);
  }

  /** The caller's account id, to share with people who want to pay you. */
  @Evaluate()
  @Returns(t.string())
  async clientAccountId(ctx: Context): Promise<string> {
    return accountOf(ctx);
  }

  private async move(ctx: Context, from: string, to: string, value: bigint): Promise<void> {
    if (from === to) throw new Error('cannot transfer to the same account');
    await this.metadata(ctx);
    await this.debit(ctx, from, value);
    await this.setBalance(ctx, to, (await this.balance(ctx, to)) + value);
    ctx.stub.setEvent('Transfer', toCanonicalJson({ from, to, value: value.toString() }));
  }

  private async debit(ctx: Context, from: string, value: bigint): Promise<void> {
    const balance = await this.balance(ctx, from);
    if (balance < value) throw new Error(`insufficient funds: ${from} has ${balance}, needs ${value}`);
    await this.setBalance(ctx, from, balance - value);
  }

  private async balance(ctx: Context, who: string): Promise<bigint> {
    return BigInt((await ctx.stub.getJSON<string>(`balance:${who}`)) ?? '0');
  }

  private async setBalance(ctx: Context, who: string, value: bigint): Promise<void> {
    await ctx.stub.putJSON(`balance:${who}`, value.toString());
  }

  private async metadata(ctx: Context): Promise<Metadata> {
    const stored = await ctx.stub.getJSON<unknown>(META_KEY);
    if (stored === undefined) throw new Error('token is not initialised: call initialize(name, symbol, decimals) first');
    return metadata.check(stored);
  }

  private requireMinter(ctx: Context): void {
    if (ctx.clientIdentity.getMSPID() !== MINTER_MSP_ID) throw new Error(`only members of ${MINTER_MSP_ID} may do this; caller is from ${ctx.clientIdentity.getMSPID()}`);
  }
}

function accountOf(ctx: Context): string {
  return `${ctx.clientIdentity.getMSPID()}::${ctx.clientIdentity.getID()}`;
}

export default TokenContract;
