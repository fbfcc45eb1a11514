/**
 * Training sets for the deep linear network (THEORY.md §2). Every item is a
 * one-hot input, so Σ11 = Σ_μ x xᵀ = I and Σ31 = Σ_μ y xᵀ is the target matrix
 * itself (features × items, column μ = item μ's attributes).
 *
 * @module
 */
import semanticData from "../../data/semantic.json" with { type: "json" };
import { type Matrix, matrix } from "../numerics/svd.ts";
import type { Rng } from "../random/rng.ts";
import { ParamError, type ParamsSchema } from "../params/schema.ts";

export interface LinearDataset {
  readonly name: string;
  readonly items: readonly string[];
  readonly features: readonly string[];
  /** Σ31: features × items */
  readonly sigma31: Matrix;
  /** Pairs of items whose hidden distance shows a distinction, broadest first. */
  readonly pairs: readonly (readonly [string, string])[];
}

function fromSets(
  name: string,
  features: readonly string[],
  items: Record<string, readonly string[]>,
  pairs: [string, string][],
): LinearDataset {
  const names = Object.keys(items);
  const y = matrix(features.length, names.length);
  names.forEach((item, mu) => {
    for (const f of items[item]) {
      const i = features.indexOf(f);
      if (i < 0) throw new Error(`${name}: item ${item} has unknown attribute "${f}"`);
      y.data[i * names.length + mu] = 1;
    }
  });
  return { name, items: names, features, sigma31: y, pairs };
}

/** Rogers & McClelland's 8 items × 36 attributes (data/semantic.json names its source). */
export function semantic(): LinearDataset {
  return fromSets("semantic", semanticData.attributes, semanticData.items, [
    ["pine", "robin"], // plant vs animal
    ["robin", "salmon"], // bird vs fish
    ["rose", "oak"], // flower vs tree
    ["canary", "robin"], // one bird vs another
  ]);
}

/** Saxe et al.'s four-item toy: canary, salmon, oak, rose. */
export function canary4(): LinearDataset {
  const f = ["grow", "move", "roots", "fly", "swim", "leaves", "petals"];
  return fromSets("canary4", f, {
    canary: ["grow", "move", "fly"],
    salmon: ["grow", "move", "swim"],
    oak: ["grow", "roots", "leaves"],
    rose: ["grow", "roots", "petals"],
  }, [["canary", "oak"], ["canary", "salmon"], ["oak", "rose"]]);
}

export interface HierarchySpec {
  readonly levels: number;
  readonly branching: number;
  /** ε: the chance a feature flips on each link of the tree */
  readonly flip: number;
  readonly features: number;
}

/**
 * Branching diffusion on a tree (Saxe et al. 2013): for each feature, the root
 * takes ±1 at random and each child copies its parent, flipped with
 * probability ε; the branching^levels leaves are the items.
 */
export function hierarchy(spec: HierarchySpec, rng: Rng): LinearDataset {
  const p = spec.branching ** spec.levels;
  const y = matrix(spec.features, p);
  for (let f = 0; f < spec.features; f++) {
    let layer = [rng.uniform() < 0.5 ? 1 : -1];
    for (let l = 0; l < spec.levels; l++) {
      const next: number[] = [];
      for (const v of layer) {
        for (let b = 0; b < spec.branching; b++) next.push(rng.uniform() < spec.flip ? -v : v);
      }
      layer = next;
    }
    for (let mu = 0; mu < p; mu++) y.data[f * p + mu] = layer[mu];
  }
  const items = Array.from({ length: p }, (_, i) => `i${i}`);
  // Item 0 against the first item of each subtree at every level: broad splits first.
  const pairs = Array.from(
    { length: spec.levels },
    (_, l) => ["i0", `i${p / spec.branching ** (l + 1)}`] as const,
  );
  return {
    name: "hierarchy",
    items,
    features: Array.from({ length: spec.features }, (_, i) => `f${i}`),
    sigma31: y,
    pairs,
  };
}

const SAXE = "Saxe, McClelland & Ganguli 2014 (arXiv:1312.6120)";

/** The hierarchy's params, shared by every pipeline that trains on it (defaults: Saxe et al. §5). */
export const HIERARCHY_PARAMS = {
  levels: {
    kind: "number",
    default: 5,
    min: 1,
    max: 7,
    integer: true,
    help: "tree levels of the hierarchical data: branching^levels items",
    cite: `${SAXE}, §5 (5 levels, 32 items)`,
  },
  branching: {
    kind: "number",
    default: 2,
    min: 2,
    max: 4,
    integer: true,
    help: "children per node of the tree",
  },
  flip: {
    kind: "number",
    default: 0.1,
    min: 0,
    max: 0.5,
    help: "ε, chance a feature flips on each link of the tree",
    cite: `${SAXE}, §5 (ε = 0.1)`,
  },
  features: {
    kind: "number",
    default: 1000,
    min: 1,
    max: 5000,
    integer: true,
    help: "features per item",
    cite: `${SAXE}, §5 (1000)`,
  },
} as const satisfies ParamsSchema;

/** At most 512 items (branching^levels), so Σ31's SVD stays quick. */
export function checkHierarchy(p: { levels: number; branching: number }): void {
  const items = p.branching ** p.levels;
  if (items > 512) {
    throw new ParamError("levels", `gives ${items} items (branching^levels); at most 512`);
  }
}
