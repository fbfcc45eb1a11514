/**
 * Our WebAssembly, from its WAT text: assembled by wabt where wabt is at hand (Deno), or handed
 * in already assembled (a browser has no wabt, and 5 MB of it would outweigh the page:
 * `deno task bundle` writes the binaries beside the dashboard, and the page passes them to its
 * worker, which calls `providePrebuilt`). The prebuilt binary is the same bytes wabt makes of the
 * same text (tests/local_worker_test.ts).
 *
 * @module
 */

/** A module's text and the WebAssembly features it uses. */
export interface WatSource {
  readonly name: string;
  readonly text: string;
  readonly features: Readonly<Record<string, boolean>>;
}

const prebuilt = new Map<string, Uint8Array>();

/** Hand in a module assembled ahead (a browser's worker, from `deno task bundle`'s output). */
export function providePrebuilt(name: string, bytes: Uint8Array): void {
  prebuilt.set(name, bytes);
}

/** Assemble the text with wabt (imported only here, when asked: `list` and the server need none). */
export async function assemble(src: WatSource): Promise<Uint8Array> {
  const { default: initWabt } = await import("wabt");
  const wabt = await initWabt();
  const parsed = wabt.parseWat(`${src.name}.wat`, src.text, src.features);
  try {
    return new Uint8Array(parsed.toBinary({}).buffer); // a copy: wabt types it over ArrayBufferLike
  } finally {
    parsed.destroy();
  }
}

/** The compiled module: the prebuilt bytes when handed in, else wabt's. */
export async function compileWat(src: WatSource): Promise<WebAssembly.Module> {
  const bytes = prebuilt.get(src.name) ?? await assemble(src);
  return await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
}
