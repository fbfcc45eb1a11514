/**
 * The dashboard's files, served from this machine only (no CDN: a talk must
 * work with the network unplugged). URLs map to a fixed table of files, so
 * no request path is ever joined onto the file system. The browser bundle
 * (Observable Plot and d3 included) is built by `deno bundle` when missing or
 * older than the dashboard's sources.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "dashboard");
const BUNDLE = join(ROOT, "dist", "app.js");

const FILES: Record<string, { path: string; type: string }> = {
  "/": { path: join(ROOT, "index.html"), type: "text/html; charset=utf-8" },
  "/index.html": { path: join(ROOT, "index.html"), type: "text/html; charset=utf-8" },
  "/style.css": { path: join(ROOT, "style.css"), type: "text/css; charset=utf-8" },
  "/app.js": { path: BUNDLE, type: "text/javascript; charset=utf-8" },
};

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

/** Build dashboard/dist/app.js if it is missing or stale. Safe to call from several processes at once. */
export async function ensureBundle(): Promise<string> {
  let built = 0;
  try {
    built = Deno.statSync(BUNDLE).mtime?.getTime() ?? 0;
  } catch { /* not built yet */ }
  if (built >= newestSource(ROOT)) return BUNDLE;
  Deno.mkdirSync(dirname(BUNDLE), { recursive: true });
  const tmp = `${BUNDLE}.${Deno.pid}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      "--quiet",
      "--platform",
      "browser",
      "--minify",
      "-o",
      tmp,
      join(ROOT, "main.ts"),
    ],
    cwd: join(ROOT, ".."),
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(
      `deno bundle of the dashboard failed:\n${new TextDecoder().decode(out.stderr)}`,
    );
  }
  Deno.renameSync(tmp, BUNDLE); // atomic: a concurrent reader sees the old file or the new one
  return BUNDLE;
}
