// The one polling helper of the Node-side tests and their support code (vitest files, the wtr
// plugins' servers). A test waits on what it proves (an event, a counter, a reply); polling is for
// state that fires no event (a server's counters, Redis, a port), and its deadline only stops a hang.

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Resolves once `condition()` (sync or async) returns true, checking every `interval` ms; rejects
 * after `timeout` ms naming `what`. `pause` replaces the wait between checks (a test that counts
 * timers passes one whose timers it leaves out). The deadline is read from the clock, not a timer.
 */
export async function until(condition, { timeout = 10_000, interval = 10, what = "a condition", pause = sleep } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await pause(interval);
  }
}
