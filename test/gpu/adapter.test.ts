/**
 * --adapter NAME (train, sweep, worker): every device of the process comes from the adapter whose
 * name contains NAME; an unknown name is refused with the names Dawn has. Child processes: the
 * choice is made once per process, before its first device.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = (args: string[]) => spawnSync(process.execPath, [join(root, 'dist/cli.js'), ...args], { encoding: 'utf8', env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' } });

beforeAll(() => {
  const built = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, encoding: 'utf8' });
  expect(built.status, built.stderr).toBe(0);
});

it('trains on the adapter named, and refuses a name no adapter has, listing those there are', { timeout: 120_000 }, () => {
  const tiny = ['train', '--algo', 'reinforce', '--env', 'pendulum', '--envs', '4', '--steps', '800', '--eval-episodes', '1', '--preset', 'cpu'];
  const refused = cli([...tiny, '--adapter', 'no-such-gpu', '--out', mkdtempSync(join(tmpdir(), 'pathwise-adapter-'))]);
  expect(refused.status).toBe(2);
  const line = refused.stderr.split('\n').find((l) => l.startsWith('pathwise: --adapter: got "no-such-gpu", expected part of an adapter\'s name: ')) ?? '';
  expect(line).not.toBe('');
  const name = line.replace(/^.*adapter's name: /, '').split(', ')[0];
  expect(name.length).toBeGreaterThan(0);
  // A part of a listed name picks that adapter.
  const out = mkdtempSync(join(tmpdir(), 'pathwise-adapter-'));
  const word = name.split(/[\s(]/)[0];
  const ran = cli([...tiny, '--adapter', word, '--out', out]);
  expect(ran.status, ran.stderr).toBe(0);
  expect((JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as { adapter: string }).adapter.toLowerCase()).toContain(word.toLowerCase());
});
