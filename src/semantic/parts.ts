/**
 * The semantic-cognition pipeline's three trainings (pipelines/semantic_cognition.ts), each a
 * net and its theory on one environment, as rows the pipeline's streams document:
 *
 * - Rogers & McClelland's living things: predictions, illusions, induction, distinctiveness;
 * - a category whose members share its features unevenly: typicality;
 * - categories that differ in coherence: singular values and learning times.
 *
 * Theory rows come first (drawn before training starts), then the net's as it trains.
 *
 * @module
 */
import type { Emit, RunContext } from "../runtime/pipeline.ts";
import {
  coherence,
  COHERENCE_DESIGNS,
  coherenceEnvironment,
  semanticEnvironment,
  TYPICALITY,
  typicalityEnvironment,
} from "./environments.ts";
import {
  alignment,
  categoryModes,
  firstReaching,
  IllusionTracker,
  propertyLearned,
  strengthOf,
  typicality,
} from "./phenomena.ts";
import { recordedSteps, type SemanticParams, theoryOf, train } from "./train.ts";

/** (item, property) pairs whose predictions are streamed: an illusion, its truth, a late fact */
export const PREDICTION_PAIRS = [
  ["pine", "has leaves"],
  ["oak", "has leaves"],
  ["salmon", "can fly"],
  ["canary", "can sing"],
] as const;

/** The novel item's one fact, and what it is then asked */
export const NOVEL_ITEM = {
  given: "has feathers",
  targets: ["can fly", "has wings", "can swim", "has gills"],
} as const;
/** The item a novel property is told of; every item is then asked */
export const NOVEL_PROPERTY_ITEM = "robin";

type Progress = { done: number; total: number };
const SOURCES = ["theory", "simulation"] as const;

export async function* semanticPart(
  p: SemanticParams,
  ctx: RunContext,
  progress: Progress,
): AsyncGenerator<Emit> {
  const env = semanticEnvironment();
  const theory = theoryOf(env, p);
  const items = env.items.length;
  for (const [mode, s] of theory.s.entries()) yield { stream: "svd", row: { mode, s } };
  const steps = recordedSteps(p);
  const pairs = PREDICTION_PAIRS.map(([item, property]) => ({
    item,
    property,
    q: env.features.indexOf(property) * items + env.items.indexOf(item),
  }));
  const given = env.features.indexOf(NOVEL_ITEM.given);
  const told = env.items.indexOf(NOVEL_PROPERTY_ITEM);
  const trackers = { theory: new IllusionTracker(env), simulation: new IllusionTracker(env) };
  const learned = { theory: [] as Float64Array[], simulation: [] as Float64Array[] };
  const rows: Emit[] = [];
  const observe = (
    source: typeof SOURCES[number],
    t: number,
    prediction: Float64Array,
    probe: () => { item: Float64Array; property: Float64Array },
  ) => {
    for (const { item, property, q } of pairs) {
      rows.push({
        stream: "prediction",
        row: {
          item,
          property,
          pair: `${item}: ${property}`,
          target: env.y[q],
          step: t,
          value: prediction[q],
          source,
        },
      });
    }
    trackers[source].see(t, prediction);
    learned[source].push(
      Float64Array.from(env.features, (_, i) => propertyLearned(env, prediction, i)),
    );
    const { item, property } = probe();
    for (const target of NOVEL_ITEM.targets) {
      rows.push({
        stream: "induction",
        row: {
          kind: "novel-item",
          given: NOVEL_ITEM.given,
          target,
          step: t,
          value: item[env.features.indexOf(target)],
          source,
        },
      });
    }
    for (const [m, target] of env.items.entries()) {
      if (m === told) continue;
      rows.push({
        stream: "induction",
        row: {
          kind: "novel-property",
          given: NOVEL_PROPERTY_ITEM,
          target,
          step: t,
          value: property[m],
          source,
        },
      });
    }
  };
  for (const t of steps) {
    const prediction = theory.prediction(t);
    // at a rate that diverges, so do the exact steps: the net's run says where (train names lr)
    if (!prediction.every(Number.isFinite)) break;
    observe("theory", t, prediction, () => ({
      item: theory.novelItem(t, given),
      property: theory.novelProperty(t, told),
    }));
  }
  yield* rows.splice(0);
  for await (const { step, prediction, net } of train(env, p, ctx.rng, ctx, progress)) {
    observe("simulation", step, prediction, () => ({
      item: net.novelItem(given, 1),
      property: net.novelProperty(told),
    }));
    yield* rows.splice(0);
  }
  for (const source of SOURCES) {
    for (const illusion of trackers[source].illusions()) {
      yield { stream: "illusion", row: { ...illusion, source } };
    }
    for (const [i, property] of env.features.entries()) {
      const curve = learned[source].map((x) => x[i]);
      yield {
        stream: "distinctive",
        row: {
          property,
          alignment: alignment(theory.u, theory.s, i),
          learn_step: firstReaching(steps, curve, 0.5),
          source,
        },
      };
    }
  }
}

export async function* typicalityPart(
  p: SemanticParams,
  ctx: RunContext,
  progress: Progress,
): AsyncGenerator<Emit> {
  const env = typicalityEnvironment();
  const theory = theoryOf(env, p);
  const items = env.items.length;
  const isa = env.features.indexOf(`ISA ${TYPICALITY.category}`);
  const members = Array.from({ length: TYPICALITY.members }, (_, k) => k);
  const typ = typicality(env, theory.u, theory.s, isa, members);
  const steps = recordedSteps(p);
  const curves = {
    theory: members.map(() => [] as number[]),
    simulation: members.map(() => [] as number[]),
  };
  for (const t of steps) {
    const pred = theory.prediction(t);
    for (const m of members) curves.theory[m].push(pred[isa * items + m]);
  }
  for await (const { prediction } of train(env, p, ctx.rng, ctx, progress)) {
    for (const m of members) curves.simulation[m].push(prediction[isa * items + m]);
  }
  for (const source of SOURCES) {
    for (const m of members) {
      const c = curves[source][m];
      yield {
        stream: "typicality",
        row: {
          item: env.items[m],
          category: TYPICALITY.category,
          typicality: typ[m],
          verification_step: firstReaching(steps, c, c[c.length - 1] / 2),
          source,
        },
      };
    }
  }
}

export async function* coherencePart(
  p: SemanticParams,
  ctx: RunContext,
  progress: Progress,
): AsyncGenerator<Emit> {
  const env = coherenceEnvironment(COHERENCE_DESIGNS, p.flip, ctx.rng);
  const theory = theoryOf(env, p);
  const modes = categoryModes(env);
  const steps = recordedSteps(p);
  const strength = {
    theory: modes.map(() => [] as number[]),
    simulation: modes.map(() => [] as number[]),
  };
  const see = (source: typeof SOURCES[number], pred: Float64Array) =>
    modes.forEach((m, c) => strength[source][c].push(strengthOf(pred, m.u, m.v)));
  for (const t of steps) see("theory", theory.prediction(t));
  for await (const { prediction } of train(env, p, ctx.rng, ctx, progress)) {
    see("simulation", prediction);
  }
  for (const source of SOURCES) {
    for (const [c, { design }] of env.blocks.entries()) {
      yield {
        stream: "coherence",
        row: {
          category: design.name,
          level: 1,
          coherence: coherence(design),
          singular_value: modes[c].s,
          learn_step: firstReaching(steps, strength[source][c], modes[c].s / 2),
          source,
        },
      };
    }
  }
}
