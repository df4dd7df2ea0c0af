#!/usr/bin/env bash
# Produces the GPU figures the issues owe, in one device call (see ../shared/gpu/README.md).
# Here:   npm ci && npm run build && bash ../shared/gpu/make-kit.sh
#         bash scripts/gpu-figures.sh smoke      # every step at toy sizes on this CPU adapter: checks
#                                                # the script before device time is spent on it
# Device: bash .gpukit/on-device.sh bash scripts/gpu-figures.sh [all | quick | algorithms]
#         (carry .gpukit and dist). FIGURES_BUDGET_S (default 560) bounds the whole run: steps run
#         in order of importance, each under its own time limit, and a step that would start with
#         under 20 s left is skipped, so one device call always ends with what it finished.
#         FIGURES_SKIP (a bash regex, matched against step names as printed after "== ", e.g.
#         '^bench (nn|fusions)$') skips the steps it matches (those an earlier call got).
# Results: bench/results/, or with $OUT set (the device tool) a log ($OUT/log.txt) and one archive
#         of every result file ($OUT/results.tgz, refreshed after each step), since at most a few
#         files come back from there.
# Steps (all): the driver's private-memory limit and the widths whose row kernels it builds, bench
#   suites ddpg (one DDPG iteration, rows against layers, N = 1 / 1024 / 4096, widths 64-256), the
#   default `pathwise train` on pendulum (time to -200 including start-up), svg-inf (update time
#   against H), envs (pendulum steps/s up to 16M envs, K steps per dispatch), DDPG over 5 seeds on
#   cartpole (rllab's comparison; the seeds run side by side), the other suites, every env's
#   throughput, DDPG on double-pendulum and acrobot, then the algorithms table over 2 seeds.
#   quick: up to the envs suite. algorithms: the algorithms table alone, 5 seeds.
set -uo pipefail
mode=${1:-all}
case "$mode" in all | quick | algorithms | smoke) ;; *) echo "usage: gpu-figures.sh [all | quick | algorithms | smoke]" >&2; exit 2 ;; esac
if [ -n "${OUT:-}" ]; then
  res=$(mktemp -d)
  exec > >(tee -a "$OUT/log.txt") 2>&1
  tee_pid=$!
  # Let tee write the log's last lines before the device call returns, whichever exit is taken.
  trap 'exec >&- 2>&-; wait "$tee_pid"' EXIT
else
  res=bench/results
  # A smoke run's toy results stay out of bench/results.
  [ "$mode" = smoke ] && res=$(mktemp -d) && echo "smoke results in $res"
fi
mkdir -p "$res"
device=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1 | tr ' ' '-' | tr -cd 'A-Za-z0-9-')
device=${device:-$([ "$mode" = smoke ] && echo smoke || echo gpu)}
deadline=$((SECONDS + ${FIGURES_BUDGET_S:-560}))
smoke() { [ "$mode" = smoke ]; }
q=$(smoke && echo --quick || true)

pack() {
  [ -n "${OUT:-}" ] || return 0
  tar -czf "$OUT/results.tgz.part" -C "$res" --exclude=checkpoint.bin --exclude='*.tmp' . && mv "$OUT/results.tgz.part" "$OUT/results.tgz"
}
# step NAME LIMIT_S COMMAND...: runs the command under the smaller of its limit and the time left.
step() {
  local name=$1 limit=$2; shift 2
  if [ -n "${FIGURES_SKIP:-}" ] && [[ "$name" =~ $FIGURES_SKIP ]]; then echo "== $name: skipped (FIGURES_SKIP)"; return; fi
  local left=$((deadline - SECONDS))
  if [ "$left" -lt 20 ]; then echo "== $name: skipped (${left} s left)"; return; fi
  [ "$limit" -gt "$left" ] && limit=$left
  echo "== $name (limit ${limit} s, $(date -u +%T))"
  local start=$SECONDS
  timeout -k 5 "$limit" bash -c '"$@"' step "$@" # bash -c: the command may be a function below
  echo "== $name: rc $? after $((SECONDS - start)) s"
  pack
}
bench() { node dist/cli.js bench $q "$@"; }

time_to_200() {
  node -e '
    const fs = require("fs"); const dir = process.argv[1];
    const cfg = JSON.parse(fs.readFileSync(dir + "/config.json"));
    const lines = fs.readFileSync(dir + "/metrics.jsonl", "utf8").trim().split("\n").map(JSON.parse);
    const hit = lines.find((r) => r.return_mean !== null && r.return_mean >= -200);
    const last = lines.at(-1);
    console.log(JSON.stringify({ startup_s: cfg.startup_s, reached_minus_200_at_s: hit ? cfg.startup_s + hit.wall_s : null, env_steps: hit ? hit.env_steps : null, total_s: cfg.startup_s + last.wall_s, total_env_steps: last.env_steps }));
  ' "$1" | tee "$1/time-to-200.json"
}

# Waits for every background job, printing each one's exit status (a bare `wait` reports 0).
wait_all() {
  local failed=0
  for pid in $(jobs -p); do wait "$pid" || { echo "   job $pid: rc $?"; failed=1; }; done
  return $failed
}

algorithms_table() { # SEEDS STEPS ENVS...: one process per env, side by side
  local seeds=$1 steps=$2; shift 2
  for env in "$@"; do
    node scripts/algorithms-table.mjs --preset gpu --seeds "$seeds" --steps "$steps" --envs "$env" $(smoke && echo "--algos ddpg,ppo") \
      --runs "$res/algorithms-runs" --name "algorithms-$env" --out "$res/algorithms-$env-$device.md" > /dev/null &
  done
  wait_all
}

rllab_env() { # ENV: DDPG with the published settings over 5 seeds, side by side on the one GPU
  local steps=$(smoke && echo "--steps 8192 --envs 64 --eval-episodes 2" || echo "--steps 40960000")
  for seed in 1 2 3 4 5; do
    (node dist/cli.js train --preset gpu --env "$1" --seed "$seed" $steps --checkpoint-every 0 \
      --out "$res/rllab-$1-seed$seed-$device" > "$res/rllab-$1-seed$seed-$device.txt" 2>&1
      rc=$?; echo "   $1 seed $seed: rc $rc: $(grep -v '^$' "$res/rllab-$1-seed$seed-$device.txt" | tail -1)"; exit $rc) &
  done
  wait_all
}

export mode res device q
export -f smoke bench time_to_200 wait_all algorithms_table rllab_env

if [ "$mode" = algorithms ]; then
  step algorithms 3000 algorithms_table 5 2000000 pendulum cartpole-swingup acrobot double-pendulum
  exit 0
fi

timeout 60 node -e 'const {create, globals} = require("webgpu"); Object.assign(globalThis, globals); const gpu = create([]); gpu.requestAdapter().then(async (a) => { const i = a.info; console.log("adapter:", i.vendor, i.architecture, i.device, i.description, "features:", [...a.features].join(" ")); process.exit(0); });' 2>&1 | head -3
# Whether row programs fit this driver: its private-memory limit per invocation, and which
# hidden widths' DDPG and SVG(inf) row kernels it builds (--program rows refuses instead of
# falling back).
step "probe private memory" 40 node scripts/probe-private-memory.mjs --workgroup 1,64
row_widths() {
  for w in $(smoke && echo 64 || echo 64 96 128 160 192 224 256); do
    for algo in ddpg svg-inf; do
      local nets=$([ "$algo" = ddpg ] && echo "--actor-hidden $w,$w --critic-hidden $w,$w" || echo "--policy-hidden $w,$w")
      if node dist/cli.js train --algo "$algo" $nets --program rows --envs 64 --steps 6400 --eval-episodes 0 --checkpoint-every 0 \
        --out "/tmp/row-width-$algo-$w" > /tmp/row-width.log 2>&1; then echo "$algo width $w: rows build"
      else echo "$algo width $w: $(grep -v '^$' /tmp/row-width.log | grep '^pathwise: ' | tail -1 | cut -c1-300)"; fi
    done
  done | tee "$res/row-widths-$device.txt"
}
export -f row_widths
step "row kernels by width" 60 row_widths
step "bench ddpg" 150 bench --suite ddpg --widths "$(smoke && echo 64 || echo 64,128,256)" --out "$res/ddpg-$device.json"
train_steps=$(smoke && echo "--steps 16000 --envs 64 --eval-episodes 4" || true)
step "train pendulum (default)" 120 node dist/cli.js train --preset gpu $train_steps --out "$res/train-pendulum-$device" --checkpoint-every 0
[ -f "$res/train-pendulum-$device/metrics.jsonl" ] && time_to_200 "$res/train-pendulum-$device" && pack
step "bench svg-inf" 120 bench --suite svg-inf --out "$res/svg-inf-$device.json"
step "bench svg-inf narrow" 120 bench --suite svg-inf --widths 64 --out "$res/svg-inf-64-$device.json"
step "bench envs pendulum" 90 bench --suite envs --env pendulum --sizes "$(smoke && echo 1024,4096 || echo 4096,65536,1048576,4194304,16777216)" --out "$res/envs-pendulum-$device.json"
# The planar robots (issue 14): half-cheetah at 65,536 and 1,048,576 envs against the 1e8 target.
step "bench locomotion" 120 bench --suite locomotion --env half-cheetah,hopper,walker2d,swimmer --sizes "$(smoke && echo 1024 || echo 65536,1048576)" --out "$res/locomotion-$device.json"
[ "$mode" = quick ] && exit 0

step "rllab DDPG cartpole" 150 rllab_env cartpole
step "bench agents" 90 bench --suite agents --widths "$(smoke && echo 64 || echo 128)" --out "$res/agents-$device.json"
step "bench svg0" 90 bench --suite svg0 --widths "$(smoke && echo 64 || echo 128)" --out "$res/svg0-$device.json"
for suite in fusions on-policy nn; do
  step "bench $suite" 90 bench --suite "$suite" --out "$res/$suite-$device.json"
done
step "bench envs all" 120 bench --suite envs --env all $(smoke && echo "--sizes 1024") --out "$res/envs-all-$device.json"
for env in double-pendulum acrobot; do step "rllab DDPG $env" 150 rllab_env "$env"; done

if smoke; then
  step "algorithms (2 seeds)" 600 algorithms_table 1 4096 pendulum
else
  step "algorithms (2 seeds)" 3000 algorithms_table 2 2000000 pendulum cartpole-swingup acrobot double-pendulum
fi
echo "== done, $((deadline - SECONDS)) s of the budget left"
