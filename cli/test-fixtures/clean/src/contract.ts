import { Context, Contract, Submit, t, compareUtf8 } from '@flexchain/sdk';

const PREFIX = 'asset:';
const SIZES = Object.freeze(['S', 'M', 'L']);

export class Clean extends Contract {
  @Submit(['id', t.string()], ['cents', t.int()])
  async put(ctx: Context, id: string, cents: number): Promise<void> {
    const when = ctx.stub.getDateTimestamp().toISOString();
    const sorted = [id, PREFIX].sort(compareUtf8);
    await ctx.stub.putJSON(PREFIX + id, { cents, when, sorted, half: Math.floor(cents / 2), size: SIZES[0] });
  }
}
