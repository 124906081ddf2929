import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/server/**/*.test.ts", "test/architecture/**/*.test.ts", "test/client/**/*.test.ts"],
    setupFiles: ["test/support/has-assertions.ts"],
    // Most of a test's time is waiting on sockets, child processes and Redis, not CPU: two files at once
    // even on 2 cores (vitest's default there is one). No test may assume a quiet machine.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // Only stop a hang: every wait inside a test ends on an event, and a loaded machine is slow, not wrong.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // @socket.io/redis-streams-adapter 0.3: closing its last namespace aborts its subscriber with
    // `subClient.disconnect()` and leaves that promise unhandled; with Redis stalled (close.test.ts,
    // scale-out.test.ts) it sometimes rejects with "Disconnects client". That one error, raised from the
    // adapter's own file, is the library's; every other unhandled error still fails the run.
    onUnhandledError: (error) => !(error.message === "Disconnects client" && /redis-streams-adapter[\\/]dist[\\/]adapter\.js/.test(error.stack ?? "")),
  },
});
