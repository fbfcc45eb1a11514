/**
 * Headless Chromium from Debian, driven by playwright-core, for the browser
 * tests. Without Chromium (a fresh machine before `apt-get install -y
 * chromium`) the tests are reported as ignored, not passed; .ci/run installs it
 * and fails if it cannot.
 */
import { chromium } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];
/** Generous: the first page load on a busy 2-core CI machine, plus tfjs start-up. */
export const WAIT_MS = 60_000;

export const NO_BROWSER = (() => {
  try {
    return !Deno.statSync(CHROMIUM).isFile;
  } catch {
    console.warn(`${CHROMIUM} not found: browser tests ignored (apt-get install -y chromium)`);
    return true;
  }
})();

export type Browser = Awaited<ReturnType<typeof chromium.launch>>;

/** Chromium, with `extra` flags after ours (a later flag wins). */
export function launch(extra: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: [...ARGS, ...extra] });
}

/**
 * WebGPU on SwiftShader, Chromium's software adapter (reported as a fallback adapter, so `auto`
 * never takes it: a test asks for webgpu by name). Headless Chromium has no WebGPU without it.
 */
export const SOFTWARE_WEBGPU = ["--enable-unsafe-webgpu", "--use-webgpu-adapter=swiftshader"];

export type Page = Awaited<ReturnType<Browser["newPage"]>>;

/**
 * No network for `page`: every request but file:// is refused (an exported talk must play and
 * recompute from the file alone). Returns the refused URLs, for the test to assert empty.
 */
export async function offline(page: Page): Promise<string[]> {
  const refused: string[] = [];
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith("file://")) return route.continue();
    refused.push(url);
    return route.abort();
  });
  return refused;
}
