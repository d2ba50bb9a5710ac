import { SingleBar, Presets } from 'cli-progress';
import { isInteractive } from './cli-context';

/** A progress display for long runs: a bar on a TTY, nothing at all otherwise (SPEC §6). */
export interface Progress {
  update(done: number, total?: number): void;
  stop(): void;
}

const silent: Progress = { update: () => undefined, stop: () => undefined };

export const startProgress = (label: string, total: number, enabled = isInteractive()): Progress => {
  if (!enabled) return silent;
  const bar = new SingleBar({ format: `${label} [{bar}] {value}/{total} {percentage}% | {eta_formatted} left`, stream: process.stderr, hideCursor: true, clearOnComplete: true }, Presets.shades_classic);
  bar.start(total, 0);
  return {
    update: (done, newTotal) => {
      if (newTotal !== undefined) bar.setTotal(newTotal);
      bar.update(done);
    },
    stop: () => bar.stop(),
  };
};
