/**
 * A trained policy out of pathwise: export it as ONNX and run it with onnxruntime-node, next to
 * the same policy on the GPU (npm install pathwise onnxruntime-node).
 *   npx tsc && node out/export-onnx.js           (EXAMPLE_SMALL=1: a few seconds on a CPU adapter)
 */
import { exportPolicy, loadPolicy, train } from 'pathwise';
import * as ort from 'onnxruntime-node';

const small = process.env.EXAMPLE_SMALL === '1';
const run = await train({ algo: 'ppo', env: 'pendulum', envs: 16, steps: small ? 2048 : 16 * 128 * 100, evalEpisodes: 0 });
await run.finish();
const checkpoint = await run.checkpoint();
await run.dispose();

const onnx = (await exportPolicy(checkpoint, { format: 'onnx' })) as Uint8Array;
const session = await ort.InferenceSession.create(onnx);
const observations = new Float32Array([1, 0, 0, 0, 1, 0.5, -1, 0, -2]); // three pendulum states: cos, sin, velocity
const { actions } = await session.run({ observations: new ort.Tensor('float32', observations, [3, 3]) });

const policy = await loadPolicy(checkpoint);
const onGpu = await policy.act(observations);
await policy.dispose();
const difference = Math.max(...Array.from(onGpu, (a, i) => Math.abs(a - (actions.data as Float32Array)[i])));
console.log(JSON.stringify({ example: 'export-onnx', outputs: session.outputNames, onnxBytes: onnx.byteLength, actions: Array.from(actions.data as Float32Array), difference }));
