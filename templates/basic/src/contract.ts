// An asset registry: each asset has an owner, a colour, a size and an appraised value.

import { Context, Contract, Evaluate, fromJsonBytes, Returns, Submit, t, toCanonicalJson } from '@flexchain/sdk';

const asset = t.object({
  id: t.string({ minLength: 1, maxLength: 64 }),
  color: t.string({ maxLength: 32 }),
  size: t.int({ min: 0 }),
  owner: t.string({ minLength: 1, maxLength: 128 }),
  appraisedValue: t.int({ min: 0 }),
});
export type Asset = ReturnType<typeof asset.check>;

const assetId = t.string({ minLength: 1, maxLength: 64 });
const assetKey = (id: string) => `asset:${id}`;

export class AssetContract extends Contract {
  static override contractName = 'flexchain-template-name';

  @Submit(['asset', asset])
  async createAsset(ctx: Context, newAsset: Asset): Promise<void> {
    if (await this.exists(ctx, newAsset.id)) throw new Error(`asset ${newAsset.id} already exists`);
    await ctx.stub.putJSON(assetKey(newAsset.id), newAsset);
    ctx.stub.setEvent('AssetCreated', toCanonicalJson({ id: newAsset.id, owner: newAsset.owner }));
    ctx.logger.info('created asset', newAsset.id, 'for', newAsset.owner);
  }

  @Evaluate(['id', assetId])
  @Returns(asset)
  async readAsset(ctx: Context, id: string): Promise<Asset> {
    const found = await ctx.stub.getJSON<Asset>(assetKey(id));
    if (!found) throw new Error(`asset ${id} does not exist`);
    return found;
  }

  @Submit(['asset', asset])
  async updateAsset(ctx: Context, updated: Asset): Promise<void> {
    if (!(await this.exists(ctx, updated.id))) throw new Error(`asset ${updated.id} does not exist`);
    await ctx.stub.putJSON(assetKey(updated.id), updated);
  }

  @Submit(['id', assetId])
  async deleteAsset(ctx: Context, id: string): Promise<void> {
    if (!(await this.exists(ctx, id))) throw new Error(`asset ${id} does not exist`);
    await ctx.stub.deleteState(assetKey(id));
  }

  /** Gives the asset a new owner and returns the previous one. */
  @Submit(['id', assetId], ['newOwner', t.string({ minLength: 1, maxLength: 128 })])
  @Returns(t.string())
  async transferAsset(ctx: Context, id: string, newOwner: string): Promise<string> {
    const current = await this.readAsset(ctx, id);
    await ctx.stub.putJSON(assetKey(id), { ...current, owner: newOwner });
    ctx.stub.setEvent('AssetTransferred', toCanonicalJson({ id, from: current.owner, to: newOwner }));
    return current.owner;
  }

  @Evaluate(['id', assetId])
  @Returns(t.boolean())
  async assetExists(ctx: Context, id: string): Promise<boolean> {
    return this.exists(ctx, id);
  }

  @Evaluate()
  @Returns(t.array(asset))
  async getAllAssets(ctx: Context): Promise<Asset[]> {
    const assets: Asset[] = [];
    for await (const { value } of ctx.stub.getStateByRange('asset:', 'asset;')) {
      assets.push(fromJsonBytes<Asset>(value));
    }
    return assets;
  }

  private async exists(ctx: Context, id: string): Promise<boolean> {
    return (await ctx.stub.getState(assetKey(id))) !== undefined;
  }
}

export default AssetContract;
