/**
 * The sweep's progress on the terminal: one bar of programs (a run, or seeds trained together;
 * done / running / failed, ETA) on a TTY, one line per started, finished or failed program
 * otherwise (logs, CI).
 */
import cliProgress from 'cli-progress';
import type { RunSummary } from './runDir.js';

const fmt = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3));

export class SweepProgress {
  private readonly bar: cliProgress.SingleBar | null;
  private readonly running = new Map<string, number>();
  private done = 0;
  private failed = 0;

  constructor(
    private readonly name: string,
    private readonly total: number,
    private readonly where: string,
    tty = process.stderr.isTTY === true,
  ) {
    this.bar = tty
      ? new cliProgress.SingleBar(
          { format: `sweep ${name} {bar} {done}/{total} programs | running {running} | failed {failed} | ETA {eta_formatted}`, hideCursor: true, stream: process.stderr, etaBuffer: 50 },
          cliProgress.Presets.shades_classic,
        )
      : null;
    this.bar?.start(total, 0, this.payload());
    if (!this.bar) console.error(`sweep ${name}: ${total} programs ${where}`);
  }

  private payload() {
    return { done: this.done, running: this.running.size, failed: this.failed };
  }

  private update(): void {
    // Fractions of running runs count, so the ETA moves with training and not only at run ends.
    const partial = [...this.running.values()].reduce((a, b) => a + b, 0);
    this.bar?.update(this.done + this.failed + partial, this.payload());
  }

  started(id: string, note = ''): void {
    this.running.set(id, 0);
    if (!this.bar) console.error(`sweep ${this.name}: started ${id}${note}`);
    this.update();
  }

  progress(id: string, fraction: number): void {
    if (!this.running.has(id)) this.running.set(id, 0);
    this.running.set(id, Math.min(1, Math.max(0, fraction)));
    this.update();
  }

  /** Program `id` finished with one summary per run (seed). */
  finished(id: string, summaries: readonly RunSummary[], note = ''): void {
    this.running.delete(id);
    this.done += 1;
    if (!this.bar) {
      const returns = summaries.length === 1 ? `return ${fmt(summaries[0].return_mean)} +- ${fmt(summaries[0].return_std)}` : `returns ${summaries.map((s) => `${fmt(s.return_mean)} (seed ${s.seed})`).join(', ')}`;
      console.error(`sweep ${this.name}: [${this.done}/${this.total}] finished ${id}: ${returns}${note}`);
    }
    this.update();
  }

  failure(id: string, error: string): void {
    this.running.delete(id);
    this.failed += 1;
    if (this.bar) this.bar.stop();
    console.error(`sweep ${this.name}: run ${id} failed: ${error}`);
    if (this.bar) this.bar.start(this.total, this.done + this.failed, this.payload());
  }

  /** A message that must be seen (e.g. Redis went away). */
  say(line: string): void {
    if (this.bar) {
      this.bar.stop();
      console.error(line);
      this.bar.start(this.total, this.done + this.failed, this.payload());
    } else console.error(line);
  }

  stop(): void {
    this.bar?.stop();
    console.error(`sweep ${this.name}: ${this.done} programs finished, ${this.failed} failed of ${this.total}`);
  }
}
