/**
 * The environments of the semantic-cognition pipeline (Saxe, McClelland & Ganguli 2019): items
 * are one-hot inputs, features the outputs, y (features × items) = Σ31. Rogers & McClelland's
 * eight living things, and two generated ones built so that a phenomenon has a knob:
 *
 * - typicality: one category whose members have its features to different degrees;
 * - coherence: disjoint categories (the root's children, level 1 of a tree) whose items share
 *   their category's features to different degrees, so each category is one SVD mode whose
 *   singular value is a closed form (its coherence), blurred by flips.
 *
 * @module
 */
import type { Rng } from "../random/rng.ts";
import { semantic } from "../linear/datasets.ts";

export interface Environment {
  readonly items: readonly string[];
  readonly features: readonly string[];
  /** features × items, row-major */
  readonly y: Float64Array;
}

const at = (env: Environment, feature: string, item: string) =>
  env.features.indexOf(feature) * env.items.length + env.items.indexOf(item);

/** Rogers & McClelland's 8 items × 36 attributes (data/semantic.json). */
export function semanticEnvironment(): Environment {
  const d = semantic();
  return { items: d.items, features: d.features, y: d.sigma31.data };
}

/** Members of the typicality category, most typical first, and how many of its features each has. */
export const TYPICALITY = {
  category: "bird",
  /** member k has the first FEATURES − k of the category's features */
  members: 8,
  features: 12,
  /** a second category, so that "ISA bird" is not the only distinction */
  contrast: { name: "fish", members: 5, features: 8 },
} as const;

/**
 * One category of 8 members sharing 12 features unevenly (member k has the first 12 − k), an
 * "ISA bird" output they all have, a contrast category of 5 that share 8 features fully, and a
 * feature of each item's own (so no two items are the same input-output pair).
 */
export function typicalityEnvironment(): Environment {
  const { category, members, features, contrast } = TYPICALITY;
  const items = [
    ...Array.from({ length: members }, (_, k) => `${category} ${k + 1}`),
    ...Array.from({ length: contrast.members }, (_, k) => `${contrast.name} ${k + 1}`),
  ];
  const feats = [
    `ISA ${category}`,
    `ISA ${contrast.name}`,
    ...Array.from({ length: features }, (_, k) => `${category} feature ${k + 1}`),
    ...Array.from({ length: contrast.features }, (_, k) => `${contrast.name} feature ${k + 1}`),
    ...items.map((item) => `own feature of ${item}`),
  ];
  const env: Environment = {
    items,
    features: feats,
    y: new Float64Array(feats.length * items.length),
  };
  for (let k = 0; k < members; k++) {
    const item = items[k];
    env.y[at(env, `ISA ${category}`, item)] = 1;
    for (let f = 0; f < features - k; f++) env.y[at(env, `${category} feature ${f + 1}`, item)] = 1;
  }
  for (let k = 0; k < contrast.members; k++) {
    const item = items[members + k];
    env.y[at(env, `ISA ${contrast.name}`, item)] = 1;
    for (let f = 0; f < contrast.features; f++) {
      env.y[at(env, `${contrast.name} feature ${f + 1}`, item)] = 1;
    }
  }
  for (const item of items) env.y[at(env, `own feature of ${item}`, item)] = 1;
  return env;
}

/**
 * A category of the coherence environment: `items` members and `features` features, each member
 * having `perItem` of them, spread so that each feature has items·perItem/features members.
 * Its block is then biregular, and a biregular 0/1 block's top singular value is exactly
 * √(perItem · membersPerFeature) = perItem √(items/features), with the all-ones vectors as
 * its singular vectors: the category's coherence (how strongly its members share features).
 */
export interface CategoryDesign {
  readonly name: string;
  readonly items: number;
  readonly features: number;
  readonly perItem: number;
}

/** Six categories whose coherence spans 1.4 … 7, each a balanced design (items·perItem divisible by features). */
export const COHERENCE_DESIGNS: readonly CategoryDesign[] = [
  { name: "A", items: 8, features: 8, perItem: 7 },
  { name: "B", items: 6, features: 12, perItem: 8 },
  { name: "C", items: 6, features: 6, perItem: 4 },
  { name: "D", items: 4, features: 8, perItem: 4 },
  { name: "E", items: 6, features: 9, perItem: 3 },
  { name: "F", items: 8, features: 4, perItem: 1 },
];

export const coherence = (c: CategoryDesign) => c.perItem * Math.sqrt(c.items / c.features);

export interface CoherenceEnvironment extends Environment {
  /** each category's rows and columns of y */
  readonly blocks: readonly {
    readonly design: CategoryDesign;
    readonly item0: number;
    readonly feature0: number;
  }[];
}

/**
 * The categories of `designs` side by side (a tree's root with one child per category): member
 * j of a category has features j·r … j·r + r − 1 (mod K), then each entry of its block flips
 * with probability `flip`, drawn from `rng`, so the singular values scatter about the
 * coherences.
 */
export function coherenceEnvironment(
  designs: readonly CategoryDesign[],
  flip: number,
  rng: Rng,
): CoherenceEnvironment {
  const items: string[] = [], features: string[] = [];
  const blocks = designs.map((design) => {
    const block = { design, item0: items.length, feature0: features.length };
    for (let j = 0; j < design.items; j++) items.push(`${design.name}${j + 1}`);
    for (let f = 0; f < design.features; f++) features.push(`${design.name} feature ${f + 1}`);
    return block;
  });
  const y = new Float64Array(features.length * items.length);
  for (const { design: d, item0, feature0 } of blocks) {
    for (let j = 0; j < d.items; j++) {
      for (let m = 0; m < d.perItem; m++) {
        y[(feature0 + ((j * d.perItem + m) % d.features)) * items.length + item0 + j] = 1;
      }
    }
    for (let f = 0; f < d.features; f++) {
      for (let j = 0; j < d.items; j++) {
        const q = (feature0 + f) * items.length + item0 + j;
        if (rng.uniform() < flip) y[q] = 1 - y[q];
      }
    }
  }
  return { items, features, y, blocks };
}
