import { utf8Decode } from '@flexchain/sdk';
import { MockWorldState, type MockContract } from '@flexchain/sdk/testing';
import { AssetContract, type Asset } from '../src/contract';

const car: Asset = { id: 'asset1', color: 'blue', size: 5, owner: 'Tomoko', appraisedValue: 300 };

describe('AssetContract', () => {
  let world: MockWorldState;
  let assets: MockContract<AssetContract>;

  beforeEach(() => {
    world = new MockWorldState();
    assets = world.deploy(AssetContract);
  });

  it('creates an asset and reads it back', async () => {
    await assets.submit('createAsset', car);
    expect(await assets.evaluate('readAsset', 'asset1')).toEqual(car);
    expect(await assets.evaluate('assetExists', 'asset1')).toBe(true);
  });

  it('refuses to create the same asset twice', async () => {
    await assets.submit('createAsset', car);
    await expect(assets.submit('createAsset', car)).rejects.toThrow('asset asset1 already exists');
  });

  it('rejects malformed assets before the contract runs', async () => {
    const bad = { ...car, size: -1 } as Asset;
    await expect(assets.submit('createAsset', bad)).rejects.toThrow('Argument "asset.size" of transaction "createAsset" must be an integer >= 0');
  });

  it('transfers an asset, returns the old owner and emits an event', async () => {
    await assets.submit('createAsset', car);
    const tx = await assets.submit('transferAsset', 'asset1', 'Max');
    expect(tx.result).toBe('Tomoko');
    expect(assets.getJSON<Asset>('asset:asset1')?.owner).toBe('Max');
    expect(tx.events.map((e) => [e.name, utf8Decode(e.payload)])).toEqual([['AssetTransferred', '{"from":"Tomoko","id":"asset1","to":"Max"}']]);
  });

  it('updates and deletes existing assets only', async () => {
    await expect(assets.submit('updateAsset', car)).rejects.toThrow('asset asset1 does not exist');
    await assets.submit('createAsset', car);
    await assets.submit('updateAsset', { ...car, color: 'red' });
    expect(assets.getJSON<Asset>('asset:asset1')?.color).toBe('red');
    await assets.submit('deleteAsset', 'asset1');
    expect(await assets.evaluate('assetExists', 'asset1')).toBe(false);
  });

  it('lists all assets in key order', async () => {
    await assets.submit('createAsset', { ...car, id: 'b' });
    await assets.submit('createAsset', { ...car, id: 'a' });
    expect(((await assets.evaluate('getAllAssets')) as Asset[]).map((a) => a.id)).toEqual(['a', 'b']);
  });

  it('two concurrent transfers of one asset: the second fails validation', async () => {
    await assets.submit('createAsset', car);
    const toMax = await assets.simulate('transferAsset', 'asset1', 'Max');
    const toAna = await assets.simulate('transferAsset', 'asset1', 'Ana');
    const block = await world.commit(toMax, toAna);
    expect(block.transactions.map((r) => r.code)).toEqual(['VALID', 'MVCC_READ_CONFLICT']);
    expect(assets.getJSON<Asset>('asset:asset1')?.owner).toBe('Max');
  });
});
