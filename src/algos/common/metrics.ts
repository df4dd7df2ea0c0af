/**
 * Learning metrics, declared as a table per algorithm. Kernels add into a GPU tensor
 * [agents x width] (a loss and a counter per update, in fixed slots); every `reportEvery` steps
 * the trainer reads it once, turns sums into means with the table, and clears it. A metric is a
 * mean over its counter's updates, a counter itself, or a constant setting shown for reference.
 */
import type { Tensor } from '../../gpu/tensor.js';

export type MetricSpec =
  /** How many updates added to the table since the last read (the raw sum of `slot`). */
  | { kind: 'counter'; name: string; slot: number }
  /**
   * scale * (sum of `slots`) / (count of `per` * times): a mean over that counter's updates, or
   * over `times` contributions per counted update (e.g. several model steps per policy step).
   */
  | { kind: 'mean'; name: string; slots: readonly number[]; per: string; scale?: number; times?: number }
  /** A setting reported as is (e.g. a fixed entropy coefficient). */
  | { kind: 'constant'; name: string; value: number };

export interface MetricTable {
  /** [agents x width] sums, cleared by every read. */
  readonly tensor: Tensor<'f32'>;
  readonly width: number;
  readonly specs: readonly MetricSpec[];
}

export const counter = (name: string, slot: number): MetricSpec => ({ kind: 'counter', name, slot });
export const mean = (name: string, slots: number | readonly number[], per: string, o: { scale?: number; times?: number } = {}): MetricSpec =>
  ({ kind: 'mean', name, slots: typeof slots === 'number' ? [slots] : slots, per, ...o });
export const constant = (name: string, value: number): MetricSpec => ({ kind: 'constant', name, value });

/** x / n, or NaN before the first update. */
export function perUpdate(x: number, n: number): number {
  return n > 0 ? x / n : Number.NaN;
}

/** The table's values of one agent's row of sums. */
export function metricValues(table: MetricTable, row: Float32Array): Record<string, number> {
  const counts = new Map(table.specs.flatMap((s) => (s.kind === 'counter' ? [[s.name, row[s.slot]] as const] : [])));
  const out: Record<string, number> = {};
  for (const spec of table.specs) {
    if (spec.kind === 'counter') out[spec.name] = row[spec.slot];
    else if (spec.kind === 'constant') out[spec.name] = spec.value;
    else {
      const n = counts.get(spec.per);
      if (n === undefined) throw new Error(`metric ${spec.name}: no counter ${spec.per} in the table`);
      const sum = spec.slots.reduce((s, i) => s + row[i], 0);
      out[spec.name] = perUpdate(spec.scale === undefined ? sum : spec.scale * sum, spec.times === undefined ? n : n * spec.times);
    }
  }
  return out;
}

/** Reads every agent's metrics since the last read and clears the sums (a readback: per report). */
export async function readMetricTable(table: MetricTable, agents: number): Promise<Record<string, number>[]> {
  const m = await table.tensor.read();
  table.tensor.fill(0);
  return Array.from({ length: agents }, (_, a) => metricValues(table, m.subarray(a * table.width, (a + 1) * table.width)));
}

/**
 * The first metric that is not finite although updates produced it (a mean whose counter is
 * positive, or any other entry), or undefined: what makes a run diverged.
 */
export function divergedMetric(table: MetricTable, values: Readonly<Record<string, number>>): string | undefined {
  for (const spec of table.specs) {
    if (Number.isFinite(values[spec.name])) continue;
    if (spec.kind !== 'mean' || values[spec.per] > 0) return spec.name;
  }
  return undefined;
}
