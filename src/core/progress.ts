import cliProgress from 'cli-progress';

export interface Progress {
  /** Advances by `n` steps and updates the displayed status fields. */
  tick(n?: number, status?: Record<string, string | number>): void;
  stop(): void;
}

export interface ProgressOptions {
  label: string;
  total: number;
  /** Force a mode; by default a bar on a TTY, periodic lines otherwise. */
  mode?: 'bar' | 'lines' | 'off';
  /** Seconds between plain lines when not on a terminal. */
  intervalS?: number;
  stream?: NodeJS.WriteStream;
}

/**
 * A progress bar on a terminal, and plain periodic lines in a log or CI, so a
 * long loop always shows that it is alive without flooding a file.
 */
export function progress(opts: ProgressOptions): Progress {
  const stream = opts.stream ?? process.stderr;
  const mode = opts.mode ?? (stream.isTTY ? 'bar' : 'lines');
  if (mode === 'off') return { tick: () => {}, stop: () => {} };
  if (mode === 'bar') {
    const bar = new cliProgress.SingleBar(
      { format: `${opts.label} [{bar}] {value}/{total} {percentage}% | ETA {eta_formatted} {status}`, stream, hideCursor: true, clearOnComplete: false },
      cliProgress.Presets.shades_classic,
    );
    bar.start(opts.total, 0, { status: '' });
    return {
      tick(n = 1, status) {
        bar.increment(n, { status: status ? formatStatus(status) : '' });
      },
      stop() {
        bar.stop();
      },
    };
  }
  const intervalMs = (opts.intervalS ?? 10) * 1000;
  const start = Date.now();
  let last = start;
  let done = 0;
  return {
    tick(n = 1, status) {
      done += n;
      const now = Date.now();
      if (now - last >= intervalMs || done === opts.total) {
        last = now;
        const el = (now - start) / 1000;
        const eta = done > 0 ? (el / done) * (opts.total - done) : 0;
        stream.write(`${opts.label}: ${done}/${opts.total} (${((100 * done) / opts.total).toFixed(0)}%) elapsed ${el.toFixed(0)}s eta ${eta.toFixed(0)}s ${status ? formatStatus(status) : ''}\n`);
      }
    },
    stop() {},
  };
}

function formatStatus(s: Record<string, string | number>): string {
  return Object.entries(s)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? (Number.isInteger(v) ? v : v.toFixed(4)) : v}`)
    .join(' ');
}
