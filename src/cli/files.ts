/** Run-directory files: atomic writes (temp file + rename) and reading checkpoints back. */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CheckpointError, type DecodedCheckpoint, decodeCheckpoint } from '../run/checkpoint.js';

export const CHECKPOINT_FILE = 'checkpoint.bin';

/**
 * Writes `data` to `path` through `path.tmp` and a rename, so a crash mid-write leaves the previous
 * file intact. `writeChunk` lets tests interrupt between chunks.
 */
export function writeAtomic(path: string, data: Uint8Array | string, writeChunk: (fd: number, chunk: Uint8Array) => void = (fd, c) => void writeSync(fd, c)): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const fd = openSync(tmp, 'w');
  try {
    const chunk = 1 << 20;
    for (let i = 0; i < bytes.byteLength; i += chunk) writeChunk(fd, bytes.subarray(i, Math.min(i + chunk, bytes.byteLength)));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** The bytes of `dir/checkpoint.bin` (or of a checkpoint file given directly), validated. */
export function readCheckpointBytes(dirOrFile: string): { bytes: Uint8Array; path: string } {
  const path = existsSync(join(dirOrFile, CHECKPOINT_FILE)) ? join(dirOrFile, CHECKPOINT_FILE) : dirOrFile;
  if (!existsSync(path)) throw new CheckpointError(path, 'no such file (expected a run directory containing checkpoint.bin)');
  const data = readFileSync(path);
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  decodeCheckpoint(bytes, path);
  return { bytes, path };
}

/** Reads and validates `dir/checkpoint.bin` (or a checkpoint file given directly). */
export function readCheckpoint(dirOrFile: string): DecodedCheckpoint & { path: string } {
  const { bytes, path } = readCheckpointBytes(dirOrFile);
  return { ...decodeCheckpoint(bytes, path), path };
}
