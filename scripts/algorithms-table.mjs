#!/usr/bin/env node
// The algorithms table of bench/results/algorithms-<device>.md, in the shape of Duan et al.
// (2016)'s comparison: every algorithm on every env, the mean +- std over seeds of the final
// evaluation return, rllab's published figure beside ours, env steps and wall time per cell.
// A sweep (`pathwise sweep`, src/cli/sweep/) with the spec this script writes, then `pathwise table`;
// the sweep resumes where it stopped when run again (same --runs directory and settings).
//
//   node scripts/algorithms-table.mjs [--preset gpu|cpu] [--seeds 5] [--steps N] [--envs a,b]
//                                     [--algos a,b] [--variants full,ls,no,si] [--runs DIR]
//                                     [--parallel N] [--queue redis://... --store DIR] [--name NAME]
//                                     [--out FILE]
// --variants adds rllab's partially observed rows for every env: LS (limited sensors:
// `--sensors positions`), NO (noisy observations: `--obs-noise 0.1`, rllab's NoisyObservationEnv
// default; rllab's NO rows also delay actions by 3 steps, which pathwise does not), SI (system
// identification: `--sysid 0.5`, physical constants scaled by U(0.5, 1.5) per episode, as rllab's
// cart-pole varies its pole length by +-50%). A combination an algorithm refuses (svg-inf needs a
// differentiable env and full, noiseless observations) is a skipped cell with the reason.
// --queue sends the runs to `pathwise worker`s through Redis (see the README's sweep section).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values: o } = parseArgs({
  options: {
    preset: { type: 'string', default: 'gpu' },
    seeds: { type: 'string', default: '5' },
    steps: { type: 'string' },
    envs: { type: 'string', default: 'pendulum,cartpole,cartpole-swingup,mountain-car,acrobot,double-pendulum' },
    algos: { type: 'string', default: 'ddpg,svg0,svg1,svg-inf,reinforce,ppo,tnpg,trpo,rwr,reps,cem,cma-es' },
    variants: { type: 'string', default: 'full' },
    runs: { type: 'string', default: 'runs' },
    name: { type: 'string' },
    parallel: { type: 'string', default: '1' },
    queue: { type: 'string' },
    store: { type: 'string' },
    out: { type: 'string' },
  },
});
const VARIANTS = { full: {}, ls: { sensors: 'positions' }, no: { obsNoise: 0.1 }, si: { sysid: 0.5 } };
const variants = o.variants.split(',').map((v) => {
  if (!(v in VARIANTS)) throw new Error(`--variants: ${v} is not one of ${Object.keys(VARIANTS).join(', ')}`);
  return VARIANTS[v];
});
const name = o.name ?? `algorithms-${o.preset}`;
const spec = {
  name,
  algos: o.algos.split(','),
  envs: o.envs.split(','),
  seeds: Number(o.seeds),
  preset: o.preset,
  ...(o.steps ? { steps: Number(o.steps) } : {}),
  flags: { checkpointEvery: 0 },
  variants,
  skipInvalid: true,
};
mkdirSync(o.runs, { recursive: true });
const specFile = join(o.runs, `${name}.json`);
writeFileSync(specFile, `${JSON.stringify(spec, null, 2)}\n`);
const where = o.queue ? ['--queue', o.queue, '--store', o.store ?? o.runs] : ['--out', join(o.runs, name), '--parallel', o.parallel];
const sweepDir = o.queue ? join(o.store ?? o.runs, name) : join(o.runs, name);
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
try {
  execFileSync(process.execPath, [cli, 'sweep', specFile, ...where], { stdio: 'inherit' });
} catch (e) {
  // A failed run is a cell saying so; the table is still written.
  console.error(`algorithms-table: the sweep ended with failures (${e.message.split('\n')[0]})`);
}
execFileSync(process.execPath, [cli, 'table', sweepDir], { stdio: 'inherit' });
const table = JSON.parse(readFileSync(join(sweepDir, 'table.json'), 'utf8'));
const device = (table.adapters[0] ?? 'unknown').replace(/[^A-Za-z0-9]+/g, '-');
const out = o.out ?? `bench/results/algorithms-${device}.md`;
copyFileSync(join(sweepDir, 'table.md'), out);
console.log(readFileSync(out, 'utf8'));
