import { MockWorldState, type MockContract } from '@flexchain/sdk/testing';
import { KMeansContract } from '../src';

/** Three well-separated groups of households in 4 dimensions. */
const groups = [
  { prefix: 'north', centre: [0, 0, 0, 0] },
  { prefix: 'east', centre: [100, 100, 0, 0] },
  { prefix: 'south', centre: [0, 0, 100, 100] },
];

describe('kmeans food distribution', () => {
  let world: MockWorldState;
  let food: MockContract<KMeansContract>;

  beforeEach(async () => {
    world = new MockWorldState({ printLogs: false });
    food = world.deploy(KMeansContract);
    for (const { prefix, centre } of groups) {
      for (let i = 0; i < 5; i++) await food.submit('updateProfile', `${prefix}-${i}`, centre.map((x, d) => x + ((i + d) % 3) - 1));
    }
  });

  it('updateProfile is write-only', async () => {
    const tx = await food.simulate('updateProfile', 'x', [1, 2]);
    expect(tx.rwset.reads).toEqual([]);
    expect(tx.rwset.writes.map((w) => w.key)).toEqual(['profile:x']);
    await expect(food.submit('updateProfile', 'x', [])).rejects.toThrow('a profile needs at least one feature');
    await expect(food.submit('updateProfile', 'x', [0.5])).rejects.toThrow(/Argument "features\[0\]" .* must be an integer/);
  });

  it('getFood clusters households by their profile and stores the assignment', async () => {
    const { result } = await food.submit('getFood', 3, 2000, 10);
    expect(result).toMatchObject({ profiles: 15, clusters: 3, converged: true, sizes: [5, 5, 5] });
    for (const { prefix } of groups) {
      const assigned = new Set(await Promise.all([0, 1, 2, 3, 4].map((i) => food.evaluate('assignment', `${prefix}-${i}`))));
      expect(assigned.size).toBe(1);
    }
    const clusterOf = async (id: string) => food.evaluate('assignment', id);
    expect(new Set([await clusterOf('north-0'), await clusterOf('east-0'), await clusterOf('south-0')]).size).toBe(3);
    const centroids = food.getJSON<number[][]>('centroids')!;
    expect(centroids).toHaveLength(3);
    expect(centroids.flat().every(Number.isInteger)).toBe(true);
  });

  it('gives the same clusters for the same tx id (endorsers agree)', async () => {
    world.setNextTxId('same-tx', 'same-tx');
    const a = await food.simulate('getFood', 3, 50, 10);
    const b = await food.simulate('getFood', 3, 50, 10);
    expect(Buffer.from(a.payload).equals(Buffer.from(b.payload))).toBe(true);
    expect(a.rwset).toEqual(b.rwset);
  });

  it('a profile registered after getFood read them all makes it a phantom', async () => {
    const run = await food.simulate('getFood', 3, 100, 10);
    await food.submit('updateProfile', 'late', [50, 50, 50, 50]);
    expect((await world.commit(run)).transactions[0]?.code).toBe('PHANTOM_READ_CONFLICT');
  });

  it('refuses more clusters than profiles', async () => {
    await expect(food.submit('getFood', 16, 10, 10)).rejects.toThrow('need at least 16 profiles to form 16 clusters, found 15');
  });
});
