/**
 * Sweep specs: parsed from YAML or JSON, every key and every run validated before anything runs,
 * with errors naming the key (no GPU here).
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { expandSweep, parseSweepSpec } from '../../src/cli/sweep/spec.js';

const expand = (text: string) => expandSweep(parseSweepSpec(text), true);

describe('sweep spec', () => {
  it('expands algorithms x envs x grid x seeds, applying a flag only to the algorithms that have it', () => {
    const { runs, skipped } = expand(`
name: study
algos: [ddpg, reinforce]
envs: [pendulum, cartpole]
seeds: 3
steps: 4000
preset: cpu
flags: { envs: 16, eval-episodes: 5 }
grid: { actorLr: [0.001, 0.0003], sensors: [full, positions] }
`);
    expect(skipped).toEqual([]);
    // ddpg: 2 envs x 2 actorLr x 2 sensors x 3 seeds; reinforce has no actorLr: 2 x 2 x 3.
    expect(runs.filter((r) => r.algo === 'ddpg')).toHaveLength(24);
    expect(runs.filter((r) => r.algo === 'reinforce')).toHaveLength(12);
    expect(new Set(runs.map((r) => r.id)).size).toBe(runs.length);
    const one = runs.find((r) => r.id === 'ddpg-cartpole-actorLr=0.0003,sensors=positions-seed2');
    expect(one?.options).toMatchObject({ algo: 'ddpg', env: 'cartpole', seed: 2, steps: 4000, envs: 16, evalEpisodes: 5, actorLr: 0.0003, sensors: 'positions', preset: 'cpu' });
    expect(runs.find((r) => r.algo === 'reinforce')?.options).not.toHaveProperty('actorLr');
  });

  it('takes JSON and a list of seeds', () => {
    const { runs } = expand('{"algos": ["ddpg"], "envs": ["pendulum"], "seeds": [4, 9], "flags": {"envs": 8}}');
    expect(runs.map((r) => r.id)).toEqual(['ddpg-pendulum-seed4', 'ddpg-pendulum-seed9']);
    expect(parseSweepSpec('{"algos": ["ddpg"], "envs": ["pendulum"]}', 'fallback').name).toBe('fallback');
  });

  const refusals: [string, string, RegExp][] = [
    ['an unknown key', 'algos: [ddpg]\nenvs: [pendulum]\nsteeps: 10', /sweep spec: steeps: .*expected a known key: name, algos, envs/],
    ['an unknown algorithm', 'algos: [ddpg, dqn]\nenvs: [pendulum]', /sweep spec: algos: got "dqn", expected one of ddpg, /],
    ['an unknown env', 'algos: [ddpg]\nenvs: [pendulm]', /sweep spec: envs: got "pendulm", expected one of .*pendulum/],
    ['a flag no algorithm has', 'algos: [reinforce]\nenvs: [pendulum]\nflags: { actorLr: 0.1 }', /sweep spec: flags.actorLr: .*a run option or an option of reinforce/],
    ['a value out of range', 'algos: [ddpg]\nenvs: [pendulum]\ngrid: { actorLr: [0.001, -1] }', /sweep spec: run ddpg-pendulum-actorLr=-1-seed1: --actor-lr: got -1, expected a number > 0/],
    ['a run flag out of range', 'algos: [ddpg]\nenvs: [pendulum]\nflags: { envs: 0 }', /sweep spec: run ddpg-pendulum-seed1: --envs: got 0, expected an integer >= 1/],
    ['a bad seed count', 'algos: [ddpg]\nenvs: [pendulum]\nseeds: 0', /sweep spec: seeds: got 0/],
    ['an empty grid list', 'algos: [ddpg]\nenvs: [pendulum]\ngrid: { actorLr: [] }', /sweep spec: grid.actorLr: .*a non-empty list/],
    ['a flag fixed and on the grid', 'algos: [ddpg]\nenvs: [pendulum]\nflags: { actorLr: 0.1 }\ngrid: { actorLr: [0.2] }', /sweep spec: grid.actorLr: .*not also fixed/],
    ['the seed as a flag', 'algos: [ddpg]\nenvs: [pendulum]\nflags: { seed: 3 }', /sweep spec: flags.seed: .*the spec's seeds key sets it/],
    ['a bad preset', 'algos: [ddpg]\nenvs: [pendulum]\npreset: fast', /sweep spec: preset: got "fast", expected one of auto, gpu, cpu/],
    ['not YAML', 'algos: [ddpg\nenvs: {', /sweep spec: text: .*expected YAML or JSON/],
    ['a combination an algorithm refuses', 'algos: [svg-inf]\nenvs: [cartpole]', /sweep spec: run svg-inf-cartpole-seed1: --env: .*a differentiable env .*skipInvalid: true/],
  ];
  it.each(refusals)('refuses %s, naming it', (_, text, message) => {
    expect(() => expand(text)).toThrow(ConfigError);
    expect(() => expand(text)).toThrow(message);
  });

  it('skips the combinations an algorithm refuses with skipInvalid, with the reason', () => {
    const { runs, skipped } = expand('algos: [svg-inf, ddpg]\nenvs: [pendulum, cartpole]\nseeds: 2\nskipInvalid: true');
    expect(runs.map((r) => r.id)).toEqual(['svg-inf-pendulum-seed1', 'svg-inf-pendulum-seed2', 'ddpg-pendulum-seed1', 'ddpg-pendulum-seed2', 'ddpg-cartpole-seed1', 'ddpg-cartpole-seed2']);
    expect(skipped.map((s) => s.id)).toEqual(['svg-inf-cartpole-seed1', 'svg-inf-cartpole-seed2']);
    expect(skipped[0].reason).toMatch(/differentiable env/);
    // Values out of range are never skipped.
    expect(() => expand('algos: [ddpg]\nenvs: [pendulum]\nskipInvalid: true\nflags: { envs: -3 }')).toThrow(/--envs: got -3/);
  });

  it('trains consecutive seeds of one setting as one multi-agent program where the algorithm allows', () => {
    const { runs, programs } = expand('algos: [ddpg, cem]\nenvs: [pendulum]\nseeds: [1, 2, 3, 7]\npreset: cpu\nflags: { envs: 64 }');
    expect(runs).toHaveLength(8);
    expect(programs.map((p) => [p.id, p.runs.map((r) => r.seed)])).toEqual([
      ['ddpg-pendulum-seeds1-3', [1, 2, 3]],
      ['ddpg-pendulum-seed7', [7]],
      // CEM's population is the agent dimension: one seed at a time.
      ['cem-pendulum-seed1', [1]],
      ['cem-pendulum-seed2', [2]],
      ['cem-pendulum-seed3', [3]],
      ['cem-pendulum-seed7', [7]],
    ]);
    expect(programs[0].options).toMatchObject({ algo: 'ddpg', seed: 1, agents: 3, envs: 64 });
    expect(programs[1].options).toEqual(runs[3].options);
    // Not shared when asked, or when the spec sets --agents itself.
    expect(expand('algos: [ddpg]\nenvs: [pendulum]\nseeds: 3\nshareSeeds: false').programs.map((p) => p.id)).toEqual(['ddpg-pendulum-seed1', 'ddpg-pendulum-seed2', 'ddpg-pendulum-seed3']);
    // Runs are single seeds: --agents is the spec's to set.
    expect(() => expand('algos: [ddpg]\nenvs: [pendulum]\nseeds: 2\nflags: { agents: 2 }')).toThrow(/sweep spec: flags.agents: .*every run of a sweep is one seed/);
    expect(() => expand('algos: [ddpg]\nenvs: [pendulum]\nvariants: [{ agents: 4 }]')).toThrow(/sweep spec: variants\[0\].agents: /);
    expect(() => expand('algos: [ddpg]\nenvs: [pendulum]\nshareSeeds: 1')).toThrow(/sweep spec: shareSeeds: got 1, expected true or false/);
  });

  it('crosses alternative variants with the grid (rllab\'s observation variants)', () => {
    const { runs } = expand('algos: [ddpg, svg-inf]\nenvs: [pendulum]\nskipInvalid: true\ngrid: { gamma: [0.9, 0.99] }\nvariants: [{}, { sensors: positions }, { obs-noise: 0.1 }]');
    expect(runs.filter((r) => r.algo === 'ddpg').map((r) => r.id)).toEqual([
      'ddpg-pendulum-gamma=0.9-seed1',
      'ddpg-pendulum-gamma=0.99-seed1',
      'ddpg-pendulum-sensors=positions,gamma=0.9-seed1',
      'ddpg-pendulum-sensors=positions,gamma=0.99-seed1',
      'ddpg-pendulum-obsNoise=0.1,gamma=0.9-seed1',
      'ddpg-pendulum-obsNoise=0.1,gamma=0.99-seed1',
    ]);
    expect(runs.find((r) => r.id === 'ddpg-pendulum-obsNoise=0.1,gamma=0.9-seed1')?.options).toMatchObject({ obsNoise: 0.1, gamma: 0.9 });
    expect(() => expand('algos: [ddpg]\nenvs: [pendulum]\nvariants: []')).toThrow(/sweep spec: variants: .*non-empty list/);
    expect(() => expand('algos: [ddpg]\nenvs: [pendulum]\ngrid: { sensors: [full] }\nvariants: [{ sensors: positions }]')).toThrow(/sweep spec: variants\[0\].sensors: .*not also under flags or grid/);
    expect(() => expand('algos: [ddpg]\nenvs: [pendulum]\nvariants: [{ sensor: positions }]')).toThrow(/sweep spec: variants\[0\].sensor: /);
  });

  it('shares programs only among the seeds of one setting, in aligned blocks of agentsPerProgram', () => {
    const { programs } = expand('algos: [ddpg]\nenvs: [pendulum]\nseeds: [3, 1, 2, 5, 4, 6, 9]\nagentsPerProgram: 4\ngrid: { gamma: [0.9, 0.99] }');
    expect(programs.map((p) => [p.id, p.runs.map((r) => r.seed), p.options.gamma, p.options.seed, p.options.agents])).toEqual([
      ['ddpg-pendulum-gamma=0.9-seeds1-4', [1, 2, 3, 4], 0.9, 1, 4],
      ['ddpg-pendulum-gamma=0.9-seeds5-6', [5, 6], 0.9, 5, 2],
      ['ddpg-pendulum-gamma=0.9-seed9', [9], 0.9, 9, undefined],
      ['ddpg-pendulum-gamma=0.99-seeds1-4', [1, 2, 3, 4], 0.99, 1, 4],
      ['ddpg-pendulum-gamma=0.99-seeds5-6', [5, 6], 0.99, 5, 2],
      ['ddpg-pendulum-gamma=0.99-seed9', [9], 0.99, 9, undefined],
    ]);
    for (const p of programs) for (const r of p.runs) expect(r.point).toEqual({ gamma: p.options.gamma });
    expect(expand('algos: [ddpg]\nenvs: [pendulum]\nseeds: 20').programs.map((p) => p.id)).toEqual(['ddpg-pendulum-seeds1-8', 'ddpg-pendulum-seeds9-16', 'ddpg-pendulum-seeds17-20']);
    expect(() => expand('algos: [ddpg]\nenvs: [pendulum]\nagentsPerProgram: 65')).toThrow(/sweep spec: agentsPerProgram: got 65/);
  });

  it('refuses specs that would fail or collide later: two spellings of one value, no evaluation, a name of dots', () => {
    expect(() => expand('algos: [ddpg]\nenvs: [pendulum]\ngrid: { gamma: [0.9, "0.9"] }')).toThrow(/sweep spec: grid\/variants: got "ddpg-pendulum-gamma=0.9-seed1", expected each setting once/);
    expect(() => expand('algos: [ddpg]\nenvs: [pendulum]\nflags: { evalEpisodes: 0 }')).toThrow(/sweep spec: run ddpg-pendulum-seed1: --eval-episodes: got 0, expected an integer >= 1 in a sweep/);
    for (const name of ['.', '..']) expect(() => expand(`name: "${name}"\nalgos: [ddpg]\nenvs: [pendulum]`)).toThrow(/sweep spec: name: .*not only dots/);
  });
});
