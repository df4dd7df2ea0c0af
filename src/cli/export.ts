/** `pathwise export --checkpoint DIR --format onnx|json --out FILE`: a trained policy out of pathwise. */
import { bindApi } from '../api/index.js';
import { EXPORT_FORMATS } from '../api/export.js';
import { ConfigError, requireInt } from '../errors.js';
import { createNodeContext } from '../gpu/node.js';
import { readCheckpointBytes, writeAtomic } from './files.js';

export async function exportCommand(args: { checkpoint?: string; format?: string; out?: string; agent?: string }): Promise<void> {
  if (!args.checkpoint) throw new ConfigError('--checkpoint', args.checkpoint, 'a run directory (or checkpoint.bin)');
  const format = args.format ?? 'onnx';
  if (!EXPORT_FORMATS.includes(format as 'onnx')) throw new ConfigError('--format', format, `one of ${EXPORT_FORMATS.join(', ')}`);
  if (!args.out) throw new ConfigError('--out', args.out, 'a file to write');
  const agent = requireInt('--agent', Number(args.agent ?? 0), 0);
  const { bytes, path } = readCheckpointBytes(args.checkpoint);
  const api = bindApi(createNodeContext);
  const exported = await api.exportPolicy(bytes, { format: format as 'onnx', agent, name: path });
  writeAtomic(args.out, exported);
  console.log(JSON.stringify({ format, out: args.out, bytes: typeof exported === 'string' ? exported.length : exported.byteLength }));
}
