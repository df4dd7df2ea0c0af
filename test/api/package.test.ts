/**
 * The package as a user gets it: `npm pack` (its prepack script builds dist/: the CLI, the Node
 * and browser entries, the type declarations), the tarball installed into a fresh project, a
 * TypeScript script there type-checked against the package's declarations (strict, no
 * skipLibCheck), compiled and run: it trains a few thousand env steps through the API, evaluates,
 * and acts with the loaded policy; so does the README's "Use it from TypeScript" example, pasted
 * as it stands, and every TypeScript example of examples/ (small); the `pathwise` command runs too.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';

const root = resolve(__dirname, '../..');

const SCRIPT = `import { listAlgorithms, listEnvs, loadPolicy, train, type Report, type TrainOptions } from 'pathwise';

const options: TrainOptions = { algo: 'cem', env: 'pendulum', envs: 16, population: 8, policyHidden: [8], steps: 16 * 200 * 2, reportEvery: 200, evalEpisodes: 3 };
const run = await train(options);
const reports: Report[] = [];
for await (const r of run) reports.push(r);
const { evaluation } = await run.finish();
const policy = await loadPolicy(await run.checkpoint());
const action = await policy.act([1, 0, 0]);
console.log(JSON.stringify({ steps: reports.map((r) => r.env_steps), evaluation: evaluation?.return_mean, action: Array.from(action), algos: listAlgorithms().length, envs: listEnvs().length }));
await policy.dispose();
await run.dispose();
`;

it('packs, installs into a fresh project, type-checks and runs a script that trains through the API', { timeout: 600_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'pathwise-pack-'));
  // What `npm pack` runs first (prepack: build dist/), then the pack itself.
  execFileSync('npm', ['run', 'prepack'], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  const packed = JSON.parse(execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', dir, '--json'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })) as { filename: string; files: { path: string }[] }[];
  const paths = packed[0].files.map((f) => f.path);
  expect(paths).toEqual(expect.arrayContaining(['dist/index.js', 'dist/browser.js', 'dist/cli.js', 'dist/types/index.d.ts', 'dist/types/browser.d.ts', 'bin/pathwise.js', 'package.json']));
  expect(paths.filter((p) => p.startsWith('src/') || p.startsWith('test/'))).toEqual([]);
  // The browser entry is self-contained: no import statement at all, no Node module or Dawn
  // required (protobufjs's optional require is a guarded shim in the bundle).
  expect(readFileSync(join(root, 'dist/browser.js'), 'utf8')).not.toMatch(/^\s*import\b|require\(["'](node:|fs|path|webgpu)/m);

  const project = join(dir, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  const npm = (args: string[]) => execFileSync('npm', [...args, '--prefer-offline', '--no-audit', '--no-fund'], { cwd: project, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  npm(['install', join(dir, packed[0].filename)]);
  npm(['install', '--save-dev', '@types/node@22']);
  // What the examples use besides pathwise (their headers say so).
  execFileSync('npm', ['install', 'vega@^6.4.0', 'vega-lite@^6.4.3', 'onnxruntime-node@^1.30.0', '--prefer-offline', '--no-audit', '--no-fund'], {
    cwd: project, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' },
  });
  const examples = readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.ts'));
  expect(examples.length).toBeGreaterThanOrEqual(3);
  for (const f of examples) copyFileSync(join(root, 'examples', f), join(project, f));
  // The custom environment's module and WGSL, beside the TypeScript and beside its compiled output.
  for (const dir of ['custom-env', 'out/custom-env']) mkdirSync(join(project, dir), { recursive: true });
  for (const f of readdirSync(join(root, 'examples/custom-env'))) {
    copyFileSync(join(root, 'examples/custom-env', f), join(project, 'custom-env', f));
    if (f.endsWith('.wgsl')) copyFileSync(join(root, 'examples/custom-env', f), join(project, 'out/custom-env', f));
  }
  writeFileSync(join(project, 'main.ts'), SCRIPT);
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const example = /## Use it from TypeScript\n\n```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(example).toBeDefined();
  writeFileSync(join(project, 'readme.ts'), example!);
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: false, outDir: 'out', types: ['node'] }, files: ['main.ts', 'readme.ts', ...examples] }),
  );
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', project], { encoding: 'utf8' });
  const out = execFileSync(process.execPath, [join(project, 'out/main.js')], { cwd: project, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const result = JSON.parse(out.trim().split('\n').at(-1)!) as { steps: number[]; evaluation: number; action: number[]; algos: number; envs: number };
  expect(result.steps).toEqual([3200, 6400]);
  expect(Number.isFinite(result.evaluation)).toBe(true);
  expect(result.action).toHaveLength(1);
  expect(Math.abs(result.action[0])).toBeLessThanOrEqual(2);
  expect(result.algos).toBeGreaterThanOrEqual(12);
  expect(result.envs).toBeGreaterThanOrEqual(8);
  // The README's example prints the evaluation and an action, and leaves its checkpoint.
  const readmeOut = execFileSync(process.execPath, [join(project, 'out/readme.js')], { cwd: project, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  expect(readmeOut.trim().split('\n').at(-1)).toMatch(/^-?\d+(\.\d+)? Float32Array\(1\) \[ -?\d/);
  expect(existsSync(join(project, 'pendulum.ckpt'))).toBe(true);
  expect(execFileSync(join(project, 'node_modules/.bin/pathwise'), ['train', '--help'], { encoding: 'utf8' })).toMatch(/--algo/);
  // Every example, small: each ends with a JSON line of what it got.
  const ran = Object.fromEntries(
    examples.map((f) => {
      const text = execFileSync(process.execPath, [join(project, 'out', f.replace(/\.ts$/, '.js'))], { cwd: project, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, EXAMPLE_SMALL: '1' } });
      const last = JSON.parse(text.trim().split('\n').at(-1)!) as { example: string } & Record<string, unknown>;
      return [last.example, last];
    }),
  );
  expect(ran['train-and-plot']).toMatchObject({ reports: 2 });
  expect(existsSync(join(project, 'curve.svg'))).toBe(true);
  expect(ran['export-onnx'].outputs).toEqual(['actions', 'log_std']);
  expect(ran['export-onnx'].difference as number).toBeLessThan(1e-5);
  expect((ran['env-loop'].returns as number[]).every((r) => Number.isFinite(r) && r < 0)).toBe(true);
  // The environment defined in examples/ (random policy about -20) checked, and learned by both.
  expect(ran['custom-env'].checked).toBe(3200);
  expect(ran['custom-env'].ddpg as number).toBeGreaterThan(-10);
  expect(ran['custom-env']['svg-inf'] as number).toBeGreaterThan(-10);
  // ... and through the command line, the TypeScript module loaded by --env-module.
  const cli = (args: string[]) => execFileSync(join(project, 'node_modules/.bin/pathwise'), args, { cwd: project, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  expect(cli(['check-env', '--env-module', 'custom-env/spring-mass.ts'])).toMatch(/^spring-mass: ok \(compared with the reference: 64 resets, 3200 transitions, 64 VJP rows\)$/m);
  cli(['train', '--env-module', 'custom-env/spring-mass.ts', '--env', 'spring-mass', '--algo', 'svg-inf', '--envs', '32', '--steps', '6400', '--horizon', '25', '--eval-episodes', '5', '--out', 'spring-run']);
  const evaluated = JSON.parse(cli(['eval', '--env-module', 'custom-env/spring-mass.ts', '--checkpoint', 'spring-run', '--episodes', '5']).trim().split('\n').at(-1)!) as { env: string; return_mean: number };
  expect(evaluated).toMatchObject({ env: 'spring-mass', episodes: 5 });
  expect(Number.isFinite(evaluated.return_mean)).toBe(true);
});
