#!/usr/bin/env bash
# Produces the GPU figures the issues owe, in one device call (see ../shared/gpu/README.md).
# Here:   npm ci && npm run build && bash ../shared/gpu/make-kit.sh
# Device: bash .gpukit/on-device.sh bash scripts/gpu-figures.sh [quick | algorithms]
#         (carry .gpukit and dist; results go to $OUT when set, else bench/results/)
#         A device call runs at most 10 minutes: run `quick`, then the default (the rllab runs),
#         then `algorithms` (the algorithms table, scripts/algorithms-table.mjs) as separate calls.
# Writes: bench suites (nn, envs with K steps per dispatch, ddpg, svg0 and svg-inf as row programs against
# one dispatch per layer, on-policy (PPO, TNPG, TRPO, RWR, REPS, REINFORCE per unit), agents, fusions) as JSON, the default `pathwise train` on
# pendulum (time to -200 including start-up), and DDPG over 5 seeds on cartpole, double-pendulum
# and acrobot for the rllab comparison.
set -uo pipefail
out=${OUT:-bench/results}
mkdir -p "$out"
device=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1 | tr ' ' '-' | tr -cd 'A-Za-z0-9-')
device=${device:-gpu}
if [ "${1:-}" = "algorithms" ]; then
  # Every algorithm on pendulum, cartpole-swingup, acrobot and double-pendulum, 5 seeds, 2M env
  # steps per run with the published settings (--preset gpu).
  node scripts/algorithms-table.mjs --preset gpu --steps 2000000 --runs "$out/algorithms-runs" --out "$out/algorithms-$device.md"
  exit 0
fi
node dist/cli.js bench --suite all --out "$out/all-$device.json" | tee "$out/all-$device.md"
node dist/cli.js bench --suite envs --env all --out "$out/envs-all-$device.json" | tail -15
# Default training run: published settings; the time to -200 is startup_s + the wall_s of the
# first report at or above -200.
node dist/cli.js train --preset gpu --out "$out/train-pendulum-$device" --checkpoint-every 0 | tail -2
node -e '
  const fs = require("fs"); const dir = process.argv[1];
  const cfg = JSON.parse(fs.readFileSync(dir + "/config.json"));
  const lines = fs.readFileSync(dir + "/metrics.jsonl", "utf8").trim().split("\n").map(JSON.parse);
  const hit = lines.find((r) => r.return_mean !== null && r.return_mean >= -200);
  console.log(JSON.stringify({ startup_s: cfg.startup_s, reached_minus_200_at_s: hit ? cfg.startup_s + hit.wall_s : null, env_steps: hit ? hit.env_steps : null }));
' "$out/train-pendulum-$device" | tee "$out/train-pendulum-$device/time-to-200.json"
[ "${1:-}" = "quick" ] && exit 0
for env in cartpole double-pendulum acrobot; do
  for seed in 1 2 3 4 5; do
    node dist/cli.js train --preset gpu --env "$env" --seed "$seed" --steps 40960000 --checkpoint-every 0 \
      --out "$out/rllab-$env-seed$seed-$device" | tail -1
  done
done
