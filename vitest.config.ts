import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/server/**/*.test.ts", "test/architecture/**/*.test.ts", "test/client/**/*.test.ts"],
    setupFiles: ["test/support/has-assertions.ts"],
    testTimeout: 15_000,
    hookTimeout: 15_000,
  },
});
