/** The metrics PPO reports, feedforward (row programs) and recurrent (graph) alike. */
import { type MetricSpec, counter, mean } from './metrics.js';

/** PPO's reported metrics from their slots (the feedforward and the recurrent PPO lay their slots out alike for these). */
export function ppoMetricSpecs(slots: Record<'pgLoss' | 'approxKl' | 'clipFraction' | 'entropy' | 'valueLoss' | 'updates' | 'valueUpdates', number>): MetricSpec[] {
  return [
    mean('policy_loss', slots.pgLoss, 'updates'),
    mean('approx_kl', slots.approxKl, 'updates'),
    mean('clip_fraction', slots.clipFraction, 'updates'),
    mean('entropy', slots.entropy, 'updates'),
    // In units of the standardized returns.
    mean('value_loss', slots.valueLoss, 'value_updates'),
    counter('updates', slots.updates),
    counter('value_updates', slots.valueUpdates),
  ];
}
