import cliProgress from 'cli-progress';
import type { Progress } from '../shared/runner/drive-run.js';

export interface ProgressReporter {
  update(progress: Progress): void;
  stop(): void;
}

function detail(progress: Progress): string {
  const by = (state: string) => progress.counts.filter((c) => c.state === state).reduce((n, c) => n + c.count, 0);
  const parts = [`ok ${by('succeeded')}`, `no_source ${by('no_source')}`];
  const running = by('running') + by('queued');
  if (running) parts.push(`in flight ${running}`);
  if (by('failed')) parts.push(`failed ${by('failed')}`);
  if (by('dead')) parts.push(`dead ${by('dead')}`);
  return parts.join(' | ');
}

/**
 * Rate and ETA over what this process did: a resumed run starts with chunks settled by the process
 * before it, which took none of this process's time (counted, they made a resume read "28227.6/s, ETA 1s").
 */
export function rateAndEta(progress: Progress, baseline: number, elapsedMs: number): { rate: number; etaSeconds: number | null } {
  const rate = Math.max(0, progress.settled - baseline) / Math.max(0.001, elapsedMs / 1000);
  const remaining = progress.total - progress.settled;
  return { rate, etaSeconds: remaining === 0 ? 0 : rate > 0 ? Math.ceil(remaining / rate) : null };
}

/** A progress bar with ETA on a TTY; elsewhere (CI, logs) one plain line every few seconds. */
export function createProgressReporter(options: { stream?: NodeJS.WriteStream; intervalMs: number; now?: () => number }): ProgressReporter {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? Date.now;
  const started = now();
  /** Chunks already settled at the first update: done before this process. */
  let baseline: number | undefined;
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format: '{bar} {percentage}% | {value}/{total} chunks | {rate}/s | ETA {eta} | {detail}',
        etaBuffer: 50,
        fps: 5,
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    let begun = false;
    return {
      update(progress) {
        baseline ??= progress.settled;
        const { rate, etaSeconds } = rateAndEta(progress, baseline, now() - started);
        const tokens = { rate: rate.toFixed(1), eta: etaSeconds === null ? 'unknown' : `${etaSeconds}s`, detail: detail(progress) };
        if (!begun) {
          bar.start(progress.total, progress.settled, tokens);
          begun = true;
        } else {
          bar.setTotal(progress.total);
          bar.update(progress.settled, tokens);
        }
      },
      stop() {
        if (begun) bar.stop();
      },
    };
  }
  let lastLine = 0;
  let last: Progress | null = null;
  const line = (progress: Progress) => {
    const elapsedMs = now() - started;
    const { rate, etaSeconds } = rateAndEta(progress, baseline ?? progress.settled, elapsedMs);
    const eta = etaSeconds === null ? 'unknown' : `${etaSeconds}s`;
    stream.write(`[${Math.round(elapsedMs / 1000)}s] ${progress.settled}/${progress.total} chunks (${rate.toFixed(1)}/s, ETA ${eta}) ${detail(progress)}\n`);
  };
  return {
    update(progress) {
      baseline ??= progress.settled;
      last = progress;
      if (now() - lastLine >= options.intervalMs) {
        lastLine = now();
        line(progress);
      }
    },
    stop() {
      if (last) line(last);
    },
  };
}

/** Progress of a counted task (games generated, ...): a bar on a TTY, a line every few seconds elsewhere. */
export function createCountProgress(label: string, options: { stream?: NodeJS.WriteStream; intervalMs: number }): { update(done: number, total: number): void; stop(): void } {
  const stream = options.stream ?? process.stderr;
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar({ stream, format: `${label} {bar} {percentage}% | {value}/{total} | ETA {eta_formatted}`, hideCursor: true }, cliProgress.Presets.shades_classic);
    let begun = false;
    return {
      update(done, total) {
        if (!begun) { bar.start(total, done); begun = true; } else bar.update(done);
      },
      stop() { if (begun) bar.stop(); },
    };
  }
  let last = 0;
  return {
    update(done, total) {
      if (Date.now() - last >= options.intervalMs || done === total) {
        last = Date.now();
        stream.write(`${label} ${done}/${total}\n`);
      }
    },
    stop() {},
  };
}
