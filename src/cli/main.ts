/**
 * The pathwise command line: train | eval | export | bench | settings | check-env | attention | sweep | worker | table. `--env-module PATH` (any
 * command) loads environments defined with defineEnv first. Flags and help come from the option schemas. Bad
 * input exits non-zero (2) with one line naming the flag and the allowed values; a failure while
 * running exits 1 with its message.
 */
import { Command, CommanderError } from 'commander';
import { CheckpointError } from '../run/checkpoint.js';
import { runSchema } from '../run/config.js';
import { ALGORITHM_ENTRIES } from '../algos/registry.js';
import { ConfigError } from '../errors.js';
import { benchCommand } from './bench.js';
import { evalCommand } from './evaluate.js';
import { exportCommand } from './export.js';
import { addMergedSchemaOptions, addSchemaOptions } from './flags.js';
import { trainCommand } from './train.js';
import { checkEnvCommand } from './checkEnv.js';
import { settingsCommand } from './settings.js';
import { REPORT_EVERY, attentionCommand } from './attention.js';
import { ATTENTION_SCHEMA } from '../attention/model.js';
import { envModuleArgs, loadEnvModules } from './envModule.js';
import { sweepCommand, tableCommand, workerCommand } from './sweep.js';
import { selectNodeAdapter } from '../gpu/node.js';

const ENV_MODULE_HELP = 'a .ts or .js module defining environments with defineEnv, loaded first (repeatable)';
const ADAPTER_HELP = "train on the adapter whose name contains NAME (e.g. H100, llvmpipe; default: Dawn's first)";

/** --adapter NAME: every device of this process from that adapter. */
function adapterOption(opts: { adapter?: unknown }): void {
  if (opts.adapter === undefined) return;
  if (typeof opts.adapter !== 'string' || opts.adapter.trim() === '') throw new ConfigError('--adapter', opts.adapter, "part of an adapter's name");
  selectNodeAdapter(opts.adapter);
}

/** `status.code`: what a command that finished but found a problem (check-env) exits with. */
function buildProgram(defined: readonly string[], status: { code: number }): Command {
  const program = new Command('pathwise').description('reinforcement learning trained entirely on the GPU through WebGPU').exitOverride();

  const train = program
    .command('train')
    .description(`train an agent (default: DDPG on pendulum) and write DIR/{config.json,metrics.jsonl,curve.svg,checkpoint.bin,eval.json}. Settings tuned for the task apply under your flags where known (pathwise settings ALGO ENV shows them). Algorithms: ${ALGORITHM_ENTRIES.map((a) => `${a.name} - ${a.summary}`).join('; ')}`)
    .option('--out <dir>', 'run directory (default runs/<algo>-<env>-seed<seed>)')
    .option('--resume <dir>', 'continue the run saved in DIR exactly where it stopped (only --steps may change)')
    .option('--env-module <path>', ENV_MODULE_HELP)
    .option('--preset <name>', 'defaults for unset flags: gpu (published settings), cpu (small, for a CPU adapter such as lavapipe), auto (cpu on a CPU adapter)', 'auto')
    .option('--adapter <name>', ADAPTER_HELP)
    .exitOverride();
  addSchemaOptions(train, runSchema, 'Run:');
  addMergedSchemaOptions(train, ALGORITHM_ENTRIES, `Algorithm options (${ALGORITHM_ENTRIES.map((a) => a.name).join(', ')}; each takes its own):`);
  train.action(async (opts: Record<string, unknown>) => {
    adapterOption(opts);
    await trainCommand(opts);
  });

  program
    .command('eval')
    .description('run the deterministic policy of a checkpoint and print JSON with return_mean and return_std')
    .requiredOption('--checkpoint <dir>', 'run directory or checkpoint.bin')
    .option('--episodes <n>', 'evaluation episodes', '100')
    .option('--seed <n>', 'seed of the evaluation envs (default: derived from the run seed)')
    .option('--env-module <path>', ENV_MODULE_HELP)
    .exitOverride()
    .action(async (opts: { checkpoint?: string; episodes?: string; seed?: string }) => evalCommand(opts));
  program
    .command('export')
    .description("write a checkpoint's policy as ONNX (opset 17: observations -> actions in the env's bounds, the Gaussian's log std as a second output) or JSON (layers, activations, weights, head)")
    .requiredOption('--checkpoint <dir>', 'run directory or checkpoint.bin')
    .option('--format <name>', 'onnx | json', 'onnx')
    .requiredOption('--out <file>', 'file to write')
    .option('--agent <n>', 'which of the agents trained together', '0')
    .option('--env-module <path>', ENV_MODULE_HELP)
    .exitOverride()
    .action(async (opts: { checkpoint?: string; format?: string; out?: string; agent?: string }) => exportCommand(opts));
  program
    .command('bench')
    .description('throughput benchmarks: JSON in bench/results/<suite>-<device>.json and markdown tables')
    .option('--suite <name>', 'nn | envs | ddpg | svg0 | svg-inf | on-policy | agents | fusions | locomotion | locomotion-returns | all', 'all')
    .option('--quick', 'small sizes, so a CPU adapter (lavapipe) finishes in about a minute')
    .option('--env <names>', 'envs and locomotion suites: comma-separated env names or all (locomotion: its four robots unless named)', 'pendulum')
    .option('--sizes <list>', 'envs and locomotion suites: numbers of envs (default 4096,65536,1048576; quick 4096,65536)')
    .option('--widths <list>', 'ddpg, svg0, svg-inf, agents suites: hidden widths of the networks (default 256; quick 64); ddpg times each, the others the first')
    .option('--out <file>', 'JSON output file')
    .option('--env-module <path>', ENV_MODULE_HELP)
    .exitOverride()
    .action(async (opts: { suite?: string; quick?: boolean; out?: string; env?: string; sizes?: string; widths?: string }) => benchCommand(opts));
  program
    .command('settings')
    .description('the settings train uses for ALGO on ENV: every option with its value and where it comes from (your flags, the task\'s tuned settings with their source, the preset, the default)')
    .argument('<algo>', `algorithm (${ALGORITHM_ENTRIES.map((a) => a.name).join(', ')})`)
    .argument('<env>', 'environment')
    .option('--preset <name>', 'auto (as train: cpu on a CPU adapter), cpu or gpu', 'auto')
    .option('--env-module <path>', ENV_MODULE_HELP)
    .exitOverride()
    .action(async (algo: string, env: string, opts: { preset?: string }) => settingsCommand(algo, env, opts));
  program
    .command('check-env')
    .description("gymnasium's env checker for an environment's WGSL: compile errors in your file and line, reset and step against the float64 reference, non-finite values, observations out of bounds, the VJP; exits 1 on a problem")
    .option('--env <name>', 'environment to check (default: every environment the --env-module files define)')
    .option('--env-module <path>', ENV_MODULE_HELP)
    .option('--envs <n>', 'environments stepped in parallel', '64')
    .option('--steps <n>', 'random-action steps of every env', '50')
    .option('--seed <n>', 'seed', '1')
    .exitOverride()
    .action(async (opts: { env?: string; envs?: string; steps?: string; seed?: string }) => {
      if (!(await checkEnvCommand(opts, defined))) status.code = 1;
    });
  const attention = program
    .command('attention')
    .description("the seed's hard-attention example: a glimpse network picks one 8x8 window of a cluttered 24x24 canvas of digits, a classifier reads the crop; trained through the stochastic computation graph; prints test accuracy")
    .option('--report-every <n>', `updates between test reports (default ${REPORT_EVERY})`)
    .option('--out <file>', 'write the reports as JSON')
    .exitOverride();
  addSchemaOptions(attention, ATTENTION_SCHEMA, 'Example:');
  attention.action(async (opts: Record<string, unknown>) => attentionCommand(opts));
  program
    .command('sweep')
    .description('train every run of a sweep spec (YAML or JSON: name, algos, envs, seeds, steps, preset, flags, grid, variants, skipInvalid, shareSeeds, agentsPerProgram; see the README), on this machine or through a Redis queue; resumable; writes SWEEP_DIR/{sweep.json,results.json,runs/,table.md,table.json,curves/}')
    .argument('<spec>', 'the sweep spec file')
    .option('--out <dir>', 'sweep directory (default sweeps/<name>)')
    .option('--parallel <n>', 'runs trained at once on this machine (default 1)')
    .option('--queue <url>', 'enqueue the runs on BullMQ at this Redis URL (redis://host:port) for `pathwise worker`s, and wait for them')
    .option('--store <dir>', 'with --queue: the shared directory the workers write to (the sweep goes to STORE/<name>)')
    .option('--poll-ms <n>', 'with --queue: how often to look at the runs (ms)', '1000')
    .option('--dry-run', 'print the runs the spec expands to and stop')
    .option('--adapter <name>', ADAPTER_HELP)
    .option('--env-module <path>', ENV_MODULE_HELP)
    .exitOverride()
    .action(async (spec: string, opts: Record<string, string | boolean | undefined>) => {
      adapterOption(opts);
      status.code = await sweepCommand(spec, opts);
    });
  program
    .command('worker')
    .description('take runs of sweeps from a Redis queue and train them on this machine, until SIGINT or SIGTERM; a run a dead worker left resumes from its checkpoint')
    .requiredOption('--queue <url>', 'the Redis URL the sweeps use (redis://host:port)')
    .requiredOption('--store <dir>', 'the shared directory the sweeps write to (their --store)')
    .option('--concurrency <n>', 'runs trained at once', '1')
    .option('--lock-ms <n>', 'how long a dead worker holds its run before another takes it (ms)', '30000')
    .option('--adapter <name>', `${ADAPTER_HELP}; start one worker per kind of GPU`)
    .option('--env-module <path>', ENV_MODULE_HELP)
    .exitOverride()
    .action(async (opts: { queue?: string; store?: string; concurrency?: string; lockMs?: string; adapter?: string }) => {
      adapterOption(opts);
      await workerCommand(opts);
    });
  program
    .command('table')
    .description("a sweep's comparison table: tasks x algorithms, mean +- std over seeds of the final return with rllab's figures beside, as table.md and table.json, and curves/<task>.svg (mean and band over seeds)")
    .argument('<sweep-dir>', 'the sweep directory')
    .option('--out <dir>', 'where to write (default the sweep directory)')
    .option('--random-episodes <n>', "episodes of the random policy per task, measured on this machine's adapter once and kept in SWEEP_DIR/random.json (0: only what it has)", '100')
    .option('--adapter <name>', 'the adapter to measure the random policy on (Dawn adapter name)')
    .option('--env-module <path>', ENV_MODULE_HELP)
    .exitOverride()
    .action(async (dir: string, opts: { out?: string; randomEpisodes?: string; adapter?: string }) => {
      adapterOption(opts);
      await tableCommand(dir, opts);
    });
  return program;
}

/** Runs the command line `argv` (without node and script) and returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    const defined = await loadEnvModules(envModuleArgs(argv));
    const status = { code: 0 };
    await buildProgram(defined, status).parseAsync([...argv], { from: 'user' });
    return status.code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    // By name as well: an env module may throw the ConfigError of its own copy of the package.
    if (e instanceof ConfigError || e instanceof CheckpointError || (e instanceof Error && e.name === 'ConfigError')) {
      console.error(`pathwise: ${e.message}`);
      return 2;
    }
    console.error(`pathwise: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}
