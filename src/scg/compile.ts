/**
 * Compilation of a stochastic computation graph into two dispatch lists:
 *
 *   forward   every node in creation order (a topological order), costs per row into tensors
 *   backward  the gradient of the surrogate objective, averaged over rows:
 *               mean_rows [ sum of costs + sum over score-function nodes n of
 *                           log p(n) * (sum of n's downstream costs, held constant - baseline_n) ]
 *             pathwise nodes pass gradients through their sample with the noise held fixed;
 *             score-function nodes stop them and add the log-probability term instead.
 *
 * Gradients accumulate: backward first clears every twin tensor, then each node on a
 * differentiable path to a cost adds into its inputs' twins, in reverse creation order.
 */
import { ConfigError } from '../errors.js';
import type { Dispatch } from '../gpu/kernel.js';
import { f32, type Tensor } from '../gpu/tensor.js';
import { matrix } from '../gpu/view.js';
import { clearDispatch, mapDispatch } from './ops.js';
import { type BackwardPass, type Cost, type GraphState, type Node, type Value, isCost } from './values.js';

export interface Compiled {
  forward: Dispatch[];
  backward: Dispatch[];
}

/** The values reachable from `v` along any edge (a node without backward is still an edge). */
function descendants(g: GraphState, v: Value): Set<number> {
  const reached = new Set<number>([v.id]);
  for (const node of g.nodes) {
    if (node.inputs.some((x) => reached.has(x.id))) for (const o of node.outputs) reached.add(o.id);
  }
  return reached;
}

/** Cost values downstream of `v` (for score-function weights). */
function downstreamCosts(g: GraphState, v: Value): Cost[] {
  const reached = descendants(g, v);
  return g.values.filter((x): x is Cost => isCost(x) && reached.has(x.id) && x.id !== v.id);
}

/** Values from which some cost is reachable through differentiable (pathwise) edges. */
function pathwiseToCost(g: GraphState): Set<number> {
  const live = new Set<number>();
  for (let i = g.nodes.length - 1; i >= 0; i--) {
    const node = g.nodes[i];
    // A score-function node sends gradients to its parameters when costs lie downstream.
    if (node.score && downstreamCosts(g, node.outputs[0]).length > 0) for (const x of node.score.params) live.add(x.id);
    if (!node.backward) continue;
    const feeds = node.outputs.some((o) => isCost(o) || live.has(o.id));
    if (feeds) for (const x of node.inputs) if (x.requiresGrad) live.add(x.id);
  }
  return live;
}

/** weight = (sum of downstream costs - baseline) / rows per row, then the node's score dispatch. */
async function scoreTerm(g: GraphState, node: Node): Promise<Dispatch[]> {
  const sf = node.score!;
  const costs = downstreamCosts(g, node.outputs[0]);
  if (costs.length === 0) return [];
  const weight = f32(g.ctx, `${node.label}.sf_weight`, [g.agents, g.rows]);
  const w = matrix(weight, { agents: g.agents, rows: g.rows, cols: 1 });
  const n = 1 / g.rows;
  const label = `${node.label} score weight`;
  const out: Dispatch[] = [];
  if (sf.baseline) {
    if (sf.baseline.view.cols !== 1) throw new ConfigError(`${g.label} ${node.label} baseline`, sf.baseline.view.cols, '1 column');
    // A baseline that depends on the sample biases the estimator, whether or not it is itself fitted by a cost.
    if (descendants(g, node.outputs[0]).has(sf.baseline.id)) {
      throw new ConfigError(`${g.label} ${node.label} baseline`, sf.baseline.label, 'a value that does not depend on the sample');
    }
    out.push(await mapDispatch(g.cache, { op: 'add', a: costs[0].view, b: sf.baseline.view, alpha: n, beta: -n, out: w }, label));
  } else {
    out.push(await mapDispatch(g.cache, { op: 'add', a: costs[0].view, alpha: n, beta: 0, out: w }, label));
  }
  for (const c of costs.slice(1)) out.push(await mapDispatch(g.cache, { op: 'add', a: c.view, alpha: n, beta: 0, out: w, accumulate: true }, label));
  out.push(await sf.dispatch(weight));
  return out;
}

/** A fresh record of which networks' parameter gradients this backward pass has written. */
function backwardPass(): BackwardPass {
  const written = new Set<Tensor<'f32'>>();
  return {
    wroteParams(net) {
      const before = written.has(net.grads);
      written.add(net.grads);
      return before;
    },
  };
}

export async function compile(g: GraphState): Promise<Compiled> {
  const forward: Dispatch[] = [];
  for (const node of g.nodes) forward.push(...(await node.forward()));

  const live = pathwiseToCost(g);
  const pass = backwardPass();
  const steps: Dispatch[] = [];
  for (let i = g.nodes.length - 1; i >= 0; i--) {
    const node = g.nodes[i];
    const feeds = node.outputs.some((o) => (isCost(o) && o.requiresGrad) || live.has(o.id));
    if (node.backward && feeds) steps.push(...(await node.backward(pass)));
    if (node.score) steps.push(...(await scoreTerm(g, node)));
  }
  // Every twin, including those the steps above created, starts each backward pass at zero.
  const clears = await Promise.all([...g.twins.values(), ...g.zeroed].map((t) => clearDispatch(g.cache, t)));
  return { forward, backward: [...clears, ...steps] };
}
