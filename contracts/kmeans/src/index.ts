// K-Means food distribution (FlexChain paper §6): households register a
// profile of integer features (household size, dietary needs, location, ...);
// getFood clusters all profiles with K-Means and assigns each household to a
// distribution centre. The paper runs K=20, 100 dimensions, 2000 epochs,
// tolerance 0.01; all four are arguments here.
//
// Features are integers and centroids are rounded before they are stored, so
// state never holds floats. K-Means++ is seeded from the transaction id, so
// every endorser computes the same clusters.

import { Context, Contract, Evaluate, fromJsonBytes, Returns, Submit, t } from '@flexchain/sdk';
import { kmeans } from 'ml-kmeans';

/** Most features per profile (the paper's data points have 100). */
const DIMENSIONS_MAX = 100;
/** Most clusters one getFood may ask for. */
const CLUSTERS_MAX = 100;
/** Most K-Means iterations one getFood may ask for (the paper uses 2000). */
const EPOCHS_MAX = 10_000;
/** Tolerance is given in thousandths so the argument stays an integer: 10 means 0.01, the paper's value. */
const TOLERANCE_SCALE = 1000;

const PROFILE_PREFIX = 'profile:';
const PROFILE_RANGE_END = 'profile;'; // ';' follows ':' in byte order, so this bounds every "profile:" key

export class KMeansContract extends Contract {
  static override contractName = 'kmeans';

  /** Stores a household's features. Write-only: it reads nothing, so it never conflicts. */
  @Submit(['id', t.string({ minLength: 1, maxLength: 64 })], ['features', t.array(t.int({ min: -1_000_000, max: 1_000_000 }), { maxLength: DIMENSIONS_MAX })])
  async updateProfile(ctx: Context, id: string, features: number[]): Promise<void> {
    if (features.length === 0) throw new Error('a profile needs at least one feature');
    await ctx.stub.putJSON(PROFILE_PREFIX + id, features);
  }

  /** Clusters every profile into `clusters` groups and stores each household's group and the group centres. */
  @Submit(['clusters', t.int({ min: 1, max: CLUSTERS_MAX })], ['epochs', t.int({ min: 1, max: EPOCHS_MAX })], ['toleranceMilli', t.int({ min: 0, max: TOLERANCE_SCALE })])
  @Returns(t.object({ profiles: t.int(), clusters: t.int(), iterations: t.int(), converged: t.boolean(), sizes: t.array(t.int()) }))
  async getFood(ctx: Context, clusters: number, epochs: number, toleranceMilli: number) {
    const ids: string[] = [];
    const points: number[][] = [];
    for await (const { key, value } of ctx.stub.getStateByRange(PROFILE_PREFIX, PROFILE_RANGE_END)) {
      ids.push(key.slice(PROFILE_PREFIX.length));
      points.push(fromJsonBytes<number[]>(value));
    }
    if (points.length < clusters) throw new Error(`need at least ${clusters} profiles to form ${clusters} clusters, found ${points.length}`);
    const dimensions = points[0]!.length;
    const mismatch = points.findIndex((p) => p.length !== dimensions);
    if (mismatch >= 0) throw new Error(`profile ${ids[mismatch]} has ${points[mismatch]!.length} features, expected ${dimensions}`);

    const result = kmeans(points, clusters, {
      initialization: 'kmeans++',
      seed: seedFromTxId(ctx.stub.getTxID()),
      maxIterations: epochs,
      tolerance: toleranceMilli / TOLERANCE_SCALE,
    });
    const sizes: number[] = new Array<number>(clusters).fill(0);
    for (const [i, id] of ids.entries()) {
      const cluster = result.clusters[i]!;
      sizes[cluster] = sizes[cluster]! + 1;
      await ctx.stub.putJSON(`assignment:${id}`, cluster);
    }
    await ctx.stub.putJSON('centroids', result.centroids.map((centroid) => centroid.map((x) => Math.round(x))));
    return { profiles: points.length, clusters, iterations: result.iterations, converged: result.converged, sizes };
  }

  @Evaluate(['id', t.string({ minLength: 1, maxLength: 64 })])
  @Returns(t.optional(t.int()))
  async assignment(ctx: Context, id: string): Promise<number | undefined> {
    return ctx.stub.getJSON<number>(`assignment:${id}`);
  }
}

/** 31-bit seed from the tx id (FNV-1a), identical on every endorser. */
function seedFromTxId(txId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < txId.length; i++) hash = Math.imul(hash ^ txId.charCodeAt(i), 0x01000193) >>> 0;
  return hash & 0x7fffffff;
}

export default KMeansContract;
