/** Choosing a deep-linear dataset by name, and the SVD of its Σ31 (outputs × inputs). */
import { type Svd, svd } from "../numerics/svd.ts";
import type { Rng } from "../random/rng.ts";
import {
  canary4,
  hierarchy,
  type HierarchySpec,
  type LinearDataset,
  semantic,
} from "./datasets.ts";

export const DATASETS = ["hierarchy", "semantic", "canary4"] as const;
export type DatasetName = typeof DATASETS[number];

export function loadDataset(
  name: DatasetName,
  spec: HierarchySpec,
  rng: Rng,
): { data: LinearDataset; modes: Svd } {
  const data = name === "hierarchy"
    ? hierarchy(spec, rng)
    : name === "semantic"
    ? semantic()
    : canary4();
  return { data, modes: svd(data.sigma31) };
}
