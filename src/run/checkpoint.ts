/**
 * Checkpoint format (version 1), independent of where the bytes go:
 *   "PWCKPT01" (8 bytes) | header length n (u32 little-endian) | n bytes of JSON header |
 *   zero padding to a multiple of 4 | raw little-endian float32/uint32 payload.
 * The header names every tensor with its dtype, shape, byte offset and length, plus the run's
 * configuration and progress. Decoding checks the magic, version, header and sizes, and loading
 * into tensors checks names and shapes, so a truncated or foreign file is refused with a reason.
 */
import type { Tensor } from '../gpu/tensor.js';

const MAGIC = 'PWCKPT01';
export const CHECKPOINT_VERSION = 1;

export interface TensorEntry {
  name: string;
  dtype: 'f32' | 'u32';
  shape: number[];
  offset: number;
  bytes: number;
}

export interface CheckpointHeader {
  format: 'pathwise-checkpoint';
  version: number;
  algo: string;
  /** Env steps per env taken (the clock). */
  iteration: number;
  wallSeconds: number;
  config: Record<string, unknown>;
  tensors: TensorEntry[];
}

export class CheckpointError extends Error {
  constructor(where: string, why: string) {
    super(`checkpoint ${where}: ${why}`);
    this.name = 'CheckpointError';
  }
}

export async function encodeCheckpoint(meta: Omit<CheckpointHeader, 'format' | 'version' | 'tensors'>, tensors: Readonly<Record<string, Tensor>>): Promise<Uint8Array> {
  const entries: TensorEntry[] = [];
  const datas: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    const data = await t.read();
    entries.push({ name, dtype: t.dtype, shape: [...t.shape], offset, bytes: data.byteLength });
    datas.push(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    offset += data.byteLength;
  }
  const header: CheckpointHeader = { format: 'pathwise-checkpoint', version: CHECKPOINT_VERSION, ...meta, tensors: entries };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const start = Math.ceil((12 + json.byteLength) / 4) * 4;
  const out = new Uint8Array(start + offset);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(8, json.byteLength, true);
  out.set(json, 12);
  for (const [i, e] of entries.entries()) out.set(datas[i], start + e.offset);
  return out;
}

export interface DecodedCheckpoint {
  header: CheckpointHeader;
  payload: Uint8Array;
}

export function decodeCheckpoint(bytes: Uint8Array, where: string): DecodedCheckpoint {
  if (bytes.byteLength < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) {
    throw new CheckpointError(where, 'not a pathwise checkpoint (bad magic bytes)');
  }
  const n = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  if (12 + n > bytes.byteLength) throw new CheckpointError(where, `truncated: header of ${n} bytes, file of ${bytes.byteLength}`);
  let header: CheckpointHeader;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + n))) as CheckpointHeader;
  } catch {
    throw new CheckpointError(where, 'header is not valid JSON');
  }
  if (header.format !== 'pathwise-checkpoint') throw new CheckpointError(where, `unknown format ${JSON.stringify(header.format)}`);
  if (header.version !== CHECKPOINT_VERSION) throw new CheckpointError(where, `version ${header.version}, this pathwise reads version ${CHECKPOINT_VERSION}`);
  const start = Math.ceil((12 + n) / 4) * 4;
  const payload = bytes.subarray(start);
  const needed = header.tensors.reduce((m, t) => Math.max(m, t.offset + t.bytes), 0);
  if (payload.byteLength !== needed) throw new CheckpointError(where, `truncated or padded: payload of ${payload.byteLength} bytes, header describes ${needed}`);
  return { header, payload };
}

/** Writes every tensor of `tensors` from the checkpoint, after checking all names and shapes. */
export function loadTensors(decoded: DecodedCheckpoint, tensors: Readonly<Record<string, Tensor>>, where: string): void {
  const byName = new Map(decoded.header.tensors.map((e) => [e.name, e]));
  for (const [name, t] of Object.entries(tensors)) {
    const e = byName.get(name);
    if (!e) throw new CheckpointError(where, `has no tensor ${name}`);
    if (e.dtype !== t.dtype || e.shape.join('x') !== t.shape.join('x')) {
      throw new CheckpointError(where, `tensor ${name} is ${e.dtype}[${e.shape.join('x')}], this run needs ${t.dtype}[${t.shape.join('x')}]`);
    }
  }
  for (const [name, t] of Object.entries(tensors)) {
    const e = byName.get(name)!;
    const bytes = decoded.payload.slice(e.offset, e.offset + e.bytes);
    t.write(t.dtype === 'f32' ? new Float32Array(bytes.buffer) : new Uint32Array(bytes.buffer));
  }
}
