// The cluster demo's primary holds a worker's messages until it is ready: sent in order then, or
// failed (so sticky closes the connection) when the worker exits first; never more than the cap.
import { describe, expect, it } from "vitest";
import { sendWhenReady } from "../../demo/cluster-ipc.js";

type Send = (...args: unknown[]) => boolean;

/** A worker's send() as the primary sees it: records what reached the worker. */
function recordingWorker(): { delivered: unknown[]; send: Send } {
  const delivered: unknown[] = [];
  return {
    delivered,
    send: (message: unknown, ...rest: unknown[]) => {
      delivered.push(message);
      const callback = rest.find((arg) => typeof arg === "function") as ((error: Error | null) => void) | undefined;
      callback?.(null);
      return true;
    },
  };
}

describe("sendWhenReady", () => {
  it("holds messages until the worker is ready, then sends them in order, and later ones at once", () => {
    const worker = recordingWorker();
    const held = sendWhenReady(worker);
    worker.send("a");
    worker.send("b");
    expect(worker.delivered).toEqual([]);
    expect(held.count).toBe(2);
    held.ready();
    expect(worker.delivered).toEqual(["a", "b"]);
    worker.send("c");
    expect(worker.delivered).toEqual(["a", "b", "c"]);
  });

  it("fails every held send when the worker goes before it is ready: callbacks get an error, bare handles are closed", () => {
    const worker = recordingWorker();
    const held = sendWhenReady(worker);
    const errors: string[] = [];
    let destroyed = 0;
    worker.send({ type: "sticky:connection" }, { destroy: () => destroyed++ }, (error: Error | null) => void errors.push(String(error?.message)));
    worker.send({ type: "sticky:abort" }, { destroy: () => destroyed++ });
    held.discard("the worker exited before it was ready");
    expect(errors).toEqual(["the worker exited before it was ready"]);
    expect(destroyed).toBe(1); // the one without a callback; the other's callback closes it (sticky's sendCallback)
    expect(held.count).toBe(0);
    expect(worker.delivered).toEqual([]);
  });

  it("holds at most the cap: past it a send fails at once", () => {
    const worker = recordingWorker();
    const held = sendWhenReady(worker, 3);
    const errors: string[] = [];
    for (let i = 0; i < 5; i++) worker.send(i, undefined, (error: Error | null) => void (error && errors.push(error.message)));
    expect(held.count).toBe(3);
    expect(errors).toEqual(["too many connections wait for this worker", "too many connections wait for this worker"]);
    held.ready();
    expect(worker.delivered).toEqual([0, 1, 2]);
  });
});
