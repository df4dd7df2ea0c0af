/**
 * Errors pathwise throws. Every message names what was wrong (a config field, a kernel, a
 * tensor) and what would have been accepted, so a user can fix the input without reading code.
 */

/** A configuration value or argument outside its allowed range; thrown before any GPU work. */
export class ConfigError extends Error {
  constructor(
    readonly field: string,
    readonly value: unknown,
    readonly allowed: string,
  ) {
    super(`${field}: got ${formatValue(value)}, expected ${allowed}`);
    this.name = 'ConfigError';
  }
}

/** Something failed on the GPU: a shader that did not compile, a validation error, device loss. */
export class GpuError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GpuError';
  }
}

/**
 * The driver refused to build a compute pipeline from a shader that compiled (a resource it
 * cannot give, e.g. more per-invocation private memory than it has; NVIDIA answers
 * VK_ERROR_UNKNOWN). Algorithms with `--program auto` then fall back to one dispatch per layer.
 */
export class PipelineError extends GpuError {
  constructor(message: string) {
    super(message);
    this.name = 'PipelineError';
  }
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.join(', ')}]`;
  return String(value);
}

/** Checks that `value` is an integer in [min, max]; throws a ConfigError naming `field` otherwise. */
export function requireInt(field: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer in [${min}, ${max}]`;
    throw new ConfigError(field, value, range);
  }
  return value;
}

/** Checks that `value` is a finite number in [min, max]; throws a ConfigError naming `field` otherwise. */
export function requireNumber(field: string, value: number, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new ConfigError(field, value, `a number in [${min}, ${max}]`);
  }
  return value;
}

/** Checks that `value` is one of `allowed`; throws a ConfigError listing them otherwise. */
export function requireOneOf<T extends string>(field: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(field, value, `one of ${allowed.join(', ')}`);
  }
  return value as T;
}
