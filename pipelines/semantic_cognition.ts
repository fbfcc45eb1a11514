/**
 * semantic-cognition: a deep linear net learns Rogers & McClelland's living things, and two
 * generated environments, mode by mode; the talk's phenomena of semantic development read off
 * its object analyzers and feature synthesizers, the exact theory beside the trained net —
 * Saxe, McClelland & Ganguli 2019. The science is src/semantic.
 */
import { definePipeline, type Emit } from "../src/runtime/pipeline.ts";
import { fromAsync } from "../src/runtime/from_async.ts";
import { ParamError, type ParamsSchema } from "../src/params/schema.ts";
import { initialStrength } from "../src/semantic/theory.ts";
import { coherencePart, semanticPart, typicalityPart } from "../src/semantic/parts.ts";

const SMG = "Saxe, McClelland & Ganguli 2019 (PNAS 116, 11537; arXiv:1810.10531)";
const SOURCE =
  '"theory" (the exact steps from a balanced start at a0 = (σ√h)^D) or "simulation" (the trained net)';

const PARAMS = {
  depth: {
    kind: "number",
    default: 2,
    min: 2,
    max: 6,
    integer: true,
    help: "weight matrices (2: the paper's net with one hidden layer)",
    cite: SMG,
  },
  hidden: {
    kind: "number",
    default: 32,
    min: 8,
    max: 256,
    integer: true,
    help: "units in each hidden layer (≥ 8, so the eight living things' modes all fit)",
  },
  init_std: {
    kind: "number",
    default: 0.01,
    min: 1e-6,
    max: 0.3,
    help: "σ of the small random start (each mode grows from a0 = (σ√h)^D)",
    cite: `${SMG}: small random weights`,
  },
  lr: {
    kind: "number",
    default: 0.01,
    min: 1e-5,
    max: 0.1,
    help: "λ, full-batch gradient descent's rate (Σ31 a sum over items: λ s₁ ≈ 0.07 here)",
  },
  steps: {
    kind: "number",
    default: 600,
    min: 50,
    max: 100000,
    integer: true,
    help:
      "gradient steps of each of the three trainings (the weakest living-thing mode, s = 1, is half learned by ≈ 300 at the defaults)",
  },
  record_every: {
    kind: "number",
    default: 5,
    min: 1,
    max: 1000,
    integer: true,
    help: "steps between recorded predictions (learning steps are read to this resolution)",
  },
  flip: {
    kind: "number",
    default: 0.05,
    min: 0,
    max: 0.3,
    help:
      "ε, the chance each entry of a coherence category's block flips (blurs s around the coherence)",
  },
} as const satisfies ParamsSchema;

export default definePipeline({
  id: "semantic-cognition",
  title: "Semantic cognition: development read off the SVD",
  cite: `${SMG}; Rogers & McClelland 2004`,
  description:
    "A deep linear net learns the SVD modes of Σ31 one by one, strongest first. Between the stages it believes what its category mostly has (pine has leaves), a novel item told one fact is given its category's others, typical members are verified sooner, and coherent categories are learned sooner (their singular value is their coherence).",
  params: PARAMS,
  check(p) {
    // the theory (and the paper's picture) is of a small start: every mode far below its s
    const a0 = initialStrength(p.init_std, p.hidden, p.depth);
    if (a0 >= 0.1) {
      throw new ParamError(
        "init_std",
        `gives each mode a starting strength (σ√h)^D = ${
          a0.toPrecision(3)
        }; a small start needs < 0.1 (init_std < ${
          (0.1 ** (1 / p.depth) / Math.sqrt(p.hidden)).toPrecision(3)
        } at hidden ${p.hidden}, depth ${p.depth})`,
      );
    }
  },
  streams: {
    svd: {
      doc: "Singular values of the living things' Σ31, strongest first.",
      fields: { mode: "α (0 = strongest)", s: "s_α" },
    },
    prediction: {
      doc:
        'The net\'s output for chosen (item, property) pairs as it learns: pine "has leaves" (target 0) rises with the plant mode and falls with the tree mode.',
      fields: {
        item: "item",
        property: "property",
        pair: "item: property",
        target: "the true value (0 or 1)",
        step: "t (steps)",
        value: "ŷ",
        source: SOURCE,
      },
      series: ["pair", "source"],
    },
    illusion: {
      notation: { peak_step: "t at the peak" },
      doc:
        "Every (item, property) with target 0 whose prediction rose to ≥ 0.1 and ended at most half as high, strongest first.",
      fields: {
        item: "item",
        property: "property",
        peak: "highest ŷ",
        peak_step: "t of the peak",
        final: "ŷ at the end",
        source: SOURCE,
      },
    },
    induction: {
      doc:
        'Inductive projection at step t. novel-item: an item told only "has feathers" (its hidden representation fitted by gradient descent on that fact, the net fixed), asked the other properties. novel-property: a property told of the robin (a new output unit fitted on it), asked of every other item.',
      fields: {
        kind: '"novel-item" or "novel-property"',
        given: "the fact told: a property (novel-item) or an item (novel-property)",
        target: "what is asked: a property, or an item",
        step: "t, the net's training step",
        value: "the net's answer",
        source: SOURCE,
      },
      series: ["kind", "target", "source"],
    },
    typicality: {
      notation: { verification_step: "steps to verify membership" },
      doc:
        "A category of 8 members sharing its 12 features unevenly: each member's typicality (its features' overlap with the category's feature synthesizer) and the step its \"ISA\" output reaches half its final value.",
      fields: {
        item: "member",
        category: "category",
        typicality: "y_μ · u_c",
        verification_step: "t at which ISA reaches half its final value",
        source: SOURCE,
      },
    },
    coherence: {
      doc:
        "Categories differing in coherence (r√(N/K): N members, K features, r per member, then ε flips): the singular value of each category's mode, and the step its strength reaches half of it.",
      notation: { singular_value: "s", learn_step: "steps to learn" },
      fields: {
        category: "category",
        level: "its level in the tree (1: a child of the root)",
        coherence: "r √(N/K)",
        singular_value: "s of the category's mode",
        learn_step: "t at which the mode's strength reaches s/2",
        source: SOURCE,
      },
    },
    distinctive: {
      notation: { learn_step: "steps to learn" },
      doc:
        "Each living-thing property: its alignment with strong object analyzers (the singular values of the modes its row is made of, weighted by its energy in each) and the step half of its row is learned.",
      fields: {
        property: "property",
        alignment: "Σ s_α (s_α U_iα)² / Σ (s_α U_iα)²",
        learn_step: "t at which Σ_μ ŷ_iμ y_iμ / Σ_μ y_iμ² reaches ½",
        source: SOURCE,
      },
    },
  },
  panels: [
    {
      kind: "series",
      id: "prediction",
      title: 'Illusions: pine "has leaves" rises with the plants, then falls',
      stream: "prediction",
      x: "step",
      y: "value",
      by: "source",
      group: "pair",
    },
    {
      kind: "series",
      id: "novel-item",
      title: "Induction: told it has feathers, it flies and does not swim",
      stream: "induction",
      x: "step",
      y: "value",
      by: "source",
      group: "target",
      filter: { field: "kind", value: "novel-item" },
    },
    {
      kind: "series",
      id: "typicality",
      title: "Typical members are verified sooner",
      stream: "typicality",
      x: "typicality",
      y: "verification_step",
      by: "source",
    },
    {
      kind: "series",
      id: "coherence",
      title: "Coherent categories are learned sooner",
      stream: "coherence",
      x: "coherence",
      y: "learn_step",
      by: "source",
    },
    {
      kind: "series",
      id: "novel-property",
      title: "A property told of the robin spreads to its category",
      stream: "induction",
      x: "step",
      y: "value",
      by: "source",
      group: "target",
      filter: { field: "kind", value: "novel-property" },
    },
    {
      kind: "series",
      id: "coherence-s",
      title: "A category's singular value is its coherence",
      stream: "coherence",
      x: "coherence",
      y: "singular_value",
      points: true,
      filter: { field: "source", value: "simulation" },
    },
    {
      kind: "series",
      id: "distinctive",
      title: "Properties aligned with strong modes are learned sooner",
      stream: "distinctive",
      x: "alignment",
      y: "learn_step",
      by: "source",
      points: true,
    },
    {
      kind: "series",
      id: "svd",
      title: "Singular values of Σ31",
      stream: "svd",
      x: "mode",
      y: "s",
    },
    { kind: "table", id: "illusions", title: "Illusory correlations", stream: "illusion" },
  ],
  run(p, ctx) {
    return fromAsync(async function* (): AsyncGenerator<Emit> {
      const progress = { done: 0, total: 3 * p.steps };
      yield* semanticPart(p, ctx, progress);
      yield* typicalityPart(p, ctx, progress);
      yield* coherencePart(p, ctx, progress);
    });
  },
});
