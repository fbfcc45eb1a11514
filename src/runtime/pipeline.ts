/**
 * What a pipeline is (DESIGN.md "A pipeline"): an id, a citation, a params
 * schema, the streams it emits and the panels that show them, and `run`,
 * which returns a cold Observable of rows. The runtime adds the envelope.
 *
 * @module
 */
import type { Observable } from "rxjs";
import type { ParamsSchema, ParamValues } from "../params/schema.ts";
import type { Rng } from "../random/rng.ts";
import type { Tf } from "../compute/backend.ts";
import type { Float32Engine } from "../compute/float32.ts";

/** A data field's value: flat JSON (an array only where the row really is one vector). */
export type Value = number | string | boolean | null | readonly number[];
export type Fields = Readonly<Record<string, Value>>;

/** One row as a pipeline emits it: the stream it belongs to and its data fields. */
export interface Emit {
  readonly stream: string;
  readonly row: Fields;
}

/** A stream's documentation, and how the wire may thin it (DESIGN.md; the log keeps all). */
export interface StreamSpec {
  readonly doc: string;
  /** field → one sentence, with units */
  readonly fields: Readonly<Record<string, string>>;
  /**
   * A long series: rows sharing the values of these fields form one series,
   * which the SSE wire decimates to about 1,000 points (see src/server/decimate.ts).
   */
  readonly series?: readonly string[];
  /**
   * field → how an axis or a legend writes it (σw², ξ_c, |u|), where the name would read as an
   * identifier (src/runtime/notation.ts)
   */
  readonly notation?: Readonly<Record<string, string>>;
}

/** How the dashboard draws streams (dashboard/panels/). */
export type PanelSpec =
  | {
    readonly kind: "series";
    readonly id: string;
    readonly title: string;
    readonly stream: string;
    readonly x: string;
    readonly y: string;
    /** rows with source "theory" are drawn as a line, "simulation" as points */
    readonly by?: string;
    /** one curve per value of this field (a mode, a layer), coloured by it; `by` then sets only the style */
    readonly group?: string;
    readonly yLabel?: string;
    /** a log x axis (depth sweeps) */
    readonly xLog?: boolean;
    /** a log y axis (losses) */
    readonly yLog?: boolean;
    /** draw every row of the stream as a point (a scatter), whatever `by` says */
    readonly points?: boolean;
    /**
     * with `points`: a curve from another stream drawn over the points (a theory line), sorted
     * by x; `by` splits it into one line per value of that field (separate segments)
     */
    readonly overlay?: {
      readonly stream: string;
      readonly x: string;
      readonly y: string;
      readonly by?: string;
    };
    /**
     * with `points`: a vector field from another stream, one arrow per row at (x, y) pointing
     * along (dx, dy), all drawn the same length (the direction is what is read)
     */
    readonly arrows?: {
      readonly stream: string;
      readonly x: string;
      readonly y: string;
      readonly dx: string;
      readonly dy: string;
    };
    /** more fields of the same rows, each drawn as its own dashed line and named in the legend (a reference, a bound) */
    readonly lines?: readonly string[];
    /** with `lines`: what the legend calls `y` and each of them (default: the field's name) */
    readonly labels?: Readonly<Record<string, string>>;
    /**
     * draw only the rows whose `field` equals `value`, or one of the values of a list (one frame
     * of a particle stream; the trained nets among all the nets)
     */
    readonly filter?: {
      readonly field: string;
      readonly value: string | number | readonly (string | number)[];
    };
    /**
     * an animation: draw one value of this field at a time, highest first (noise
     * to data for a diffusion's t), holding at the lowest, axes fixed over all frames
     */
    readonly animate?: string;
    /** with `points` and `group`: side-by-side small multiples, one per value of this field */
    readonly facet?: string;
  }
  | {
    /** histograms (an eigenvalue spectrum), one small multiple per value of `group` */
    readonly kind: "histogram";
    readonly id: string;
    readonly title: string;
    readonly stream: string;
    /** bin edges and height fields */
    readonly lo: string;
    readonly hi: string;
    readonly count: string;
    readonly group: string;
    /** a field shown in each small multiple's label beside the group (its error) */
    readonly label?: string;
    /** the x axis's label (default "eigenvalue": the spectra that came first) */
    readonly xLabel?: string;
  }
  | {
    readonly kind: "heatmap";
    readonly id: string;
    readonly title: string;
    readonly stream: string;
    readonly x: string;
    readonly y: string;
    /** fields the viewer can colour by; the first is the default */
    readonly fill: readonly string[];
    /**
     * a curve over the map (the critical line), joined in order of `along` (default y);
     * `also`: more fields of the same rows, each drawn dashed (3ξ_c beside 6ξ_c)
     */
    readonly overlay?: {
      readonly stream: string;
      readonly x: string;
      readonly y: string;
      readonly also?: readonly string[];
      readonly along?: "x" | "y";
    };
    /**
     * cells arrive coarse to fine (a grid being trained): until a cell is measured it shows
     * its nearest measured neighbour's colour, paler, so the map is whole from the start
     */
    readonly sketch?: boolean;
    /** small multiples: one map per value of `x` across and of `y` down (receptive fields) */
    readonly facet?: { readonly x: string; readonly y?: string };
    /** a signed field: a diverging scale symmetric about 0 (red positive, blue negative) */
    readonly diverging?: boolean;
    /** an image: grey levels 0 (black) to 255 (white) on a fixed scale; null cells mid-grey */
    readonly grey?: boolean;
  }
  | {
    /**
     * a curve in 3-D (a circle's top principal components), one frame per value of `frame`
     * shown in ascending order, in an orthographic view that turns slowly about the vertical
     */
    readonly kind: "projection";
    readonly id: string;
    readonly title: string;
    readonly stream: string;
    readonly x: string;
    readonly y: string;
    readonly z: string;
    readonly frame: string;
    /** the field that orders the points along the curve (closed: the last joins the first) */
    readonly order: string;
  }
  | {
    readonly kind: "table";
    readonly id: string;
    readonly title: string;
    readonly stream: string;
  };

/** What a run gets from the runtime. */
export interface RunContext {
  /** the run's seeded random source */
  readonly rng: Rng;
  /** TensorFlow.js with the run's backend selected */
  readonly tf: Tf;
  readonly backend: string;
  /** the float32 nets' engine: WebGPU or wasm-simd, as `--backend` chose (src/compute/float32.ts) */
  readonly float32: Float32Engine;
  /** aborted when the run is stopped */
  readonly signal: AbortSignal;
  /** Yield to the event loop if this run has held it for more than a few ms. */
  tick(): Promise<void>;
  /**
   * How far the run's long part has got (`done` of `total` units: steps, searches, nets).
   * The runtime emits a `progress` row {done, total, fraction} each time another whole
   * percent is done (so the same seed gives the same rows), and the dashboard shows it.
   */
  progress(done: number, total: number): void;
  /**
   * Whether item k of a sweep is this run's to compute: always, unless the run is one shard
   * of a sweep split over workers (item k belongs to shard k mod count). Only pipelines that
   * declare `shardable` are split.
   */
  mine(k: number): boolean;
  /** How many shards the run's sweep is split into (1: not split); `dealByCost` uses it. */
  readonly shards: number;
}

/** A failure inside a run, with the fields that locate it (layer, step, param…). */
export class RunError extends Error {
  constructor(message: string, readonly fields: Fields = {}) {
    super(message);
  }
}

export interface Pipeline<S extends ParamsSchema = ParamsSchema> {
  readonly id: string;
  readonly title: string;
  /** paper and equation numbers */
  readonly cite: string;
  readonly description: string;
  readonly params: S;
  /** Cross-param checks beyond each param's bounds; throw ParamError. */
  readonly check?: (params: ParamValues<S>) => void;
  readonly streams: Readonly<Record<string, StreamSpec>>;
  readonly panels: readonly PanelSpec[];
  /**
   * The sweep this pipeline can split over workers (in words), if any: its run then asks
   * `ctx.mine(k)` of each item, and every item's rows must not depend on the others (same
   * params, same numbers, however the sweep is split).
   */
  readonly shardable?: string;
  /**
   * Whether a run with these params has that sweep to split (default: it has). A run
   * without one is not split: its one worker keeps every kernel thread (deep-cheap's rbm
   * part trains on all of them; as a shard it would get one).
   */
  readonly splits?: (params: Readonly<Record<string, number | string>>) => boolean;
  /**
   * The params that set how much memory a run takes, the largest lever first: a run that
   * cannot allocate ends with an error row naming them and their values (the param to lower).
   */
  readonly memory?: readonly string[];
  run(params: ParamValues<S>, ctx: RunContext): Observable<Emit>;
}

/** Identity, so a pipeline's params type is inferred from its schema. */
export function definePipeline<const S extends ParamsSchema>(p: Pipeline<S>): Pipeline<S> {
  return p;
}

/** Streams every run has besides its own (DESIGN.md "Rows and the envelope"). */
export const RUNTIME_STREAMS = ["meta", "error", "done", "progress"] as const;
