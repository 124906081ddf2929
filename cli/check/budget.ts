// Every network step has a timeout, and the whole run a bound: a step gets the smaller of its own
// timeout and what is left of the run.
import { StepError, seconds, type Step } from "./failures.js";

export class Budget {
  readonly deadline: number;

  constructor(
    /** Each network step's timeout, ms. */
    readonly stepMs: number,
    /** The whole run's bound, ms. */
    readonly totalMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.deadline = now() + totalMs;
  }

  remaining(): number {
    return Math.max(0, this.deadline - this.now());
  }

  /** The time the next step may take (at most `ms`, default the step timeout); throws once the run's bound is reached. */
  step(step: Step, ms = this.stepMs): number {
    const left = this.remaining();
    if (left <= 0) throw new StepError({ step, kind: "budget", message: `the run reached its bound of ${seconds(this.totalMs)}` });
    return Math.min(ms, left);
  }
}

/** The whole run's bound for a step timeout and a hold: 12 steps' worth, plus the hold. */
export function runBoundMs(stepMs: number, holdMs: number): number {
  return 12 * stepMs + holdMs;
}
