/**
 * A talk as one self-contained HTML file to hand out: the dashboard's page, style and
 * bundled code (Observable Plot inside), and every slide's recorded rows, embedded. It
 * plays the talk with no server and no network (opened from a USB stick or an email):
 * the presentation view, ← and → to move through the slides.
 *
 * @module
 */
import type { Row } from "../runtime/run.ts";
import type { PipelineDescription } from "../server/describe.ts";

/** What the page finds in its `#statmech-export` script element (dashboard/state.ts). */
export interface ExportData {
  readonly talk: {
    readonly talk: {
      readonly id: string;
      readonly title: string;
      readonly slides: readonly {
        title: string;
        pipeline: string;
        params: Readonly<Record<string, number | string>>;
        panels: readonly string[];
      }[];
    };
    readonly slide: number;
    /** each slide's run id */
    readonly runs: readonly string[];
    readonly offline: true;
  };
  readonly pipelines: readonly PipelineDescription[];
  /**
   * What the page needs to recompute slides itself (dashboard/local_run.ts), each gzipped and
   * base64 (the page inflates them with DecompressionStream): the worker's code, the float32 and
   * float64 kernels prebuilt and tfjs-wasm's binary. Gzip takes their ≈ 2.4 MB to ≈ 0.8 MB.
   * `mnist`, the packed digits (src/linear/mnist_pack.ts, 1.6 MB gzipped), only in a talk with a
   * slide whose pipeline can read them (pipelines/local.ts MNIST_READERS).
   */
  readonly local?: {
    readonly worker: string;
    readonly simdKernels: string;
    readonly f64Kernels: string;
    readonly tfjsWasm: string;
    readonly mnist?: string;
  };
  /**
   * Each slide's run: its rows in order, without the `run` and `pipeline` fields every row
   * repeats (a third of the file); the page puts them back.
   */
  readonly runs: readonly {
    readonly run: string;
    readonly pipeline: string;
    readonly rows: readonly Readonly<Record<string, unknown>>[];
  }[];
}

/** A run's rows as ExportData keeps them. */
export function packRun(rows: readonly Row[]): ExportData["runs"][number] {
  return {
    run: String(rows[0].run),
    pipeline: String(rows[0].pipeline),
    rows: rows.map(({ run: _run, pipeline: _pipeline, ...rest }) => rest),
  };
}

/** Inside a <script> element, "</script" would end it early, and "<!--" can change parsing. */
const scriptSafe = (text: string) =>
  text.replaceAll("</script", "<\\/script").replaceAll("<!--", "<\\!--");

/**
 * The page `index` with its stylesheet and script inlined and the data embedded. JSON is
 * made script-safe by escaping every "<" (a valid JSON escape).
 */
export function exportHtml(index: string, css: string, js: string, data: ExportData): string {
  const json = JSON.stringify(data).replaceAll("<", "\\u003c");
  const style = `<style>\n${css.replaceAll("</style", "<\\/style")}\n</style>`;
  const script = `<script id="statmech-export" type="application/json">${json}</script>\n` +
    `    <script type="module">\n${scriptSafe(js)}\n</script>`;
  const linked = /<link rel="stylesheet" href="\/style\.css">/;
  const loaded = /<script type="module" src="\/app\.js"><\/script>/;
  if (!linked.test(index) || !loaded.test(index)) {
    throw new Error(
      "dashboard/index.html no longer links /style.css and /app.js as export expects",
    );
  }
  return index.replace(linked, () => style).replace(loaded, () => script)
    .replace(
      "<title>statmech-live</title>",
      () => `<title>${escapeHtml(data.talk.talk.title)}</title>`,
    );
}

function escapeHtml(s: string): string {
  return s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}
