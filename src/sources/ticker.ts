// The sampling clock of a source: waits one interval, or less when asked for a sample now,
// or indefinitely while paused. Sources call next() before each sample.
export interface Ticker {
  next(): Promise<void>;
  sampleNow(): void;
  setInterval(ms: number): void;
  setPaused(paused: boolean): void;
  stop(): void;
}

export function createTicker(intervalMs: number): Ticker {
  let interval = intervalMs;
  let paused = false;
  let stopped = false;
  let wake: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  let requested = false;

  const arm = () => {
    clearTimeout(timer);
    if (!paused && !stopped && wake) timer = setTimeout(() => wake?.(), interval);
  };

  return {
    next() {
      if (requested) {
        requested = false;
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => {
        wake = () => {
          wake = undefined;
          clearTimeout(timer);
          resolve();
        };
        arm();
        if (stopped) wake();
      });
    },
    sampleNow() {
      if (wake) wake();
      else requested = true;
    },
    setInterval(ms) {
      interval = ms;
      arm();
    },
    setPaused(value) {
      paused = value;
      arm();
    },
    stop() {
      stopped = true;
      wake?.();
    },
  };
}
