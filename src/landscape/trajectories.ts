/**
 * Dauphin et al. 2014's comparison, from one start near the saddle at θ = 0: minibatch
 * SGD (which stalls on the plateau), damped Newton (drawn to the saddle), saddle-free
 * Newton (which leaves it), and SGD for half its steps handed over to saddle-free
 * Newton. Yields each optimizer's data loss as it goes.
 *
 * @module
 */
import { RunError } from "../runtime/pipeline.ts";
import { Rng } from "../random/rng.ts";
import type { TanhMlp } from "./mlp.ts";
import { newtonStep } from "./newton.ts";
import { MinibatchSgd } from "./sgd.ts";

export interface TrajectoryOptions {
  readonly sgdSteps: number;
  readonly newtonSteps: number;
  readonly batch: number;
  readonly lr: number;
  /** Krylov dimension of the Newton steps */
  readonly krylov: number;
}

export type TrajectoryRow = {
  readonly optimizer: string;
  readonly step: number;
  readonly loss: number;
};

/** The four runs in turn; SGD reports ≈ 300 points, Newton every step. */
export async function* optimizerComparison(
  net: TanhMlp,
  theta0: Float64Array,
  o: TrajectoryOptions,
  rng: Rng,
  tick: () => Promise<void>,
): AsyncGenerator<TrajectoryRow> {
  const every = Math.max(1, Math.floor(o.sgdSteps / 300));
  const sgdRun = async function* (optimizer: string, steps: number, theta: Float64Array) {
    const sgd = new MinibatchSgd(net, o.batch, new Rng(rng.int32() >>> 0));
    yield { optimizer, step: 0, loss: net.dataLoss(theta) };
    for (let s = 1; s <= steps; s++) {
      sgd.step(theta, o.lr);
      if (s % every === 0 || s === steps) {
        const loss = net.dataLoss(theta);
        if (!Number.isFinite(loss)) {
          throw new RunError(`SGD diverged at step ${s} (loss ${loss}); lower lr`, {
            step: s,
            param: "lr",
            loss: String(loss),
          });
        }
        yield { optimizer, step: s, loss };
        await tick();
      }
    }
  };
  const newtonRun = async function* (
    optimizer: string,
    kind: "newton" | "saddle-free",
    theta: Float64Array,
    offset: number,
  ) {
    let t = theta;
    for (let s = 1; s <= o.newtonSteps; s++) {
      t = newtonStep(net, t, kind, o.krylov).theta;
      yield { optimizer, step: offset + s, loss: net.dataLoss(t) };
      await tick();
    }
  };
  yield* sgdRun("sgd", o.sgdSteps, theta0.slice());
  for (const kind of ["newton", "saddle-free"] as const) {
    yield { optimizer: kind, step: 0, loss: net.dataLoss(theta0) };
    yield* newtonRun(kind, kind, theta0.slice(), 0);
  }
  const half = Math.floor(o.sgdSteps / 2);
  const switched = theta0.slice();
  yield* sgdRun("sgd→saddle-free", half, switched);
  yield* newtonRun("sgd→saddle-free", "saddle-free", switched, half);
}
