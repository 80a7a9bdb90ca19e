/** Time as an injected side effect, so RTO measurements can be tested with a fake clock. */
export interface Clock {
  /** Wall-clock time, for timestamps in reports. */
  now(): Date;
  /** Monotonic milliseconds, for durations. */
  monotonicMs(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => new Date(),
  monotonicMs: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};
