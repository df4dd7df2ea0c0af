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

/** Reads and validates `dir/checkpoint.bin` (or a checkpoint file given directly). */
export function readCheckpoint(dirOrFile: string): DecodedCheckpoint & { path: string } {
  const path = existsSync(join(dirOrFile, CHECKPOINT_FILE)) ? join(dirOrFile, CHECKPOINT_FILE) : dirOrFile;
  if (!existsSync(path)) throw new CheckpointError(path, 'no such file (expected a run directory containing checkpoint.bin)');
  const bytes = readFileSync(path);
  return { ...decodeCheckpoint(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path), path };
}
