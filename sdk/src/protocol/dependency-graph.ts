// The dependency graph a block carries (paper §5.1): for each transaction, the
// earlier transactions of the same block it conflicts with. The orderer builds
// it; the header's graphHash covers it, so it is as trustworthy as the orderer
// that built the block (peers that do not trust it build their own: trustOrdererGraphs).
//
// Wire form: {"dependencies": [[], [0], [0, 1], ...]}: entry i lists, in
// ascending order without repeats, indices j < i that transaction i must wait for.

import { canonicalStringify, type JsonValue } from '../canonical-json';
import { sha256Hex } from './signing';

export interface DependencyGraph {
  readonly dependencies: readonly (readonly number[])[];
}

export function graphHashOf(graph: DependencyGraph): string {
  return sha256Hex(canonicalStringify(graph as unknown as JsonValue));
}

/**
 * Checks a graph received with a block of `txCount` transactions. Returns the
 * reason it cannot be used, or undefined when it is well formed and matches `graphHash`.
 */
export function graphDefect(graph: unknown, txCount: number, graphHash: string | undefined): string | undefined {
  if (graph === undefined) return 'the block has no dependency graph';
  if (typeof graph !== 'object' || graph === null || !Array.isArray((graph as DependencyGraph).dependencies)) return 'the dependency graph has no dependencies list';
  const deps = (graph as DependencyGraph).dependencies;
  if (deps.length !== txCount) return `the dependency graph covers ${deps.length} transactions, the block has ${txCount}`;
  for (const [i, list] of deps.entries()) {
    if (!Array.isArray(list)) return `dependencies[${i}] is not a list`;
    let previous = -1;
    for (const j of list) {
      if (!Number.isSafeInteger(j) || j <= previous || j >= i) return `dependencies[${i}] must list earlier transactions in ascending order, found ${JSON.stringify(j)}`;
      previous = j;
    }
  }
  if (graphHash === undefined || graphHashOf(graph as DependencyGraph) !== graphHash) return 'the dependency graph does not match the header graphHash';
  return undefined;
}
