// Every vitest test must assert what it proves: one that only awaits could pass by not failing,
// and fail only by timing out. Loaded for every test file by `test.setupFiles` in vitest.config.ts.
import { beforeEach, expect } from "vitest";

beforeEach(() => {
  expect.hasAssertions();
});
