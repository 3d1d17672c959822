/**
 * How late the event loop runs, for `/ready` and `/metrics`.
 *
 * An instance whose event loop lags behind cannot keep its promises (polls on time, deliveries
 * within a fraction of a second) however many sockets it may still accept, so `/ready` reports a
 * *sustained* delay and a load balancer sends new subscribers elsewhere. Sustained: the p99 delay
 * was above the limit in every one of the last few windows, so that one garbage collection or one
 * burst of deliveries does not take the instance out; one calm window brings it back.
 *
 * The delay is Node's own measurement (`perf_hooks.monitorEventLoopDelay`): how much later than
 * asked a timer of its own fired, sampled every few milliseconds.
 */
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';

export interface EventLoopDelayOptions {
  /** `READY_MAX_EVENT_LOOP_DELAY_MS`: the p99 delay above which a window counts as overloaded; 0: never. */
  readonly maxDelayMs: number;
  /** Length of one window; default 1000 ms. */
  readonly windowMs?: number;
  /** Windows in a row above the limit that make the instance not ready; default 3. */
  readonly windows?: number;
}

/** The delay monitor `startServer` runs; `close` stops its timer and Node's sampling. */
export interface EventLoopDelay {
  /** The p99 delay of the last complete window, in ms (0 before the first one). */
  p99Ms(): number;
  /** Whether every one of the last `windows` windows was above the limit. */
  overloaded(): boolean;
  /** The reason `/ready` gives while overloaded, else null. */
  problem(): string | null;
  close(): void;
}

/** Node samples the delay this often (ms); finer costs CPU for nothing at the limits that matter. */
const RESOLUTION_MS = 10;

/** Starts measuring at once; the first verdict comes after `windows` windows. */
export function watchEventLoopDelay(options: EventLoopDelayOptions): EventLoopDelay {
  const windowMs = options.windowMs ?? 1000;
  const windows = options.windows ?? 3;
  const histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  /** The p99 of each of the last `windows` windows, oldest first. */
  const recent: number[] = [];
  let windowStarted = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    // A window without samples (the loop blocked throughout) says nothing by its histogram; this
    // timer's own lateness is then the delay.
    recent.push(histogram.count > 0 ? histogram.percentile(99) / 1e6 : Math.max(0, now - windowStarted - windowMs));
    windowStarted = now;
    if (recent.length > windows) recent.shift();
    histogram.reset();
  }, windowMs);
  timer.unref();

  const p99Ms = () => recent[recent.length - 1] ?? 0;
  const overloaded = () => options.maxDelayMs > 0 && recent.length === windows && recent.every((delay) => delay > options.maxDelayMs);
  return {
    p99Ms,
    overloaded,
    problem: () => {
      if (!overloaded()) return null;
      const lowest = Math.round(Math.min(...recent));
      const seconds = (windows * windowMs) / 1000;
      return `event loop delay: p99 at least ${lowest} ms in each of the last ${seconds} s, above READY_MAX_EVENT_LOOP_DELAY_MS (${options.maxDelayMs} ms)`;
    },
    close: () => {
      clearInterval(timer);
      histogram.disable();
    },
  };
}
