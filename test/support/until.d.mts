export interface UntilOptions {
  /** Only stops a hang (default 10 s). */
  timeout?: number;
  /** Between checks (default 10 ms). */
  interval?: number;
  /** Named in the error when the deadline passes. */
  what?: string;
  /** Waits `ms` between checks (default: a setTimeout). */
  pause?: (ms: number) => Promise<unknown>;
}

export function until(condition: () => boolean | Promise<boolean>, options?: UntilOptions): Promise<void>;
