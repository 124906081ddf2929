// tsc compiles TypeScript to dist/; Rollup only bundles what tsc emitted.
import { dts } from "rollup-plugin-dts";

const isBare = (id) => !id.startsWith(".") && !id.startsWith("/") && !id.startsWith("\0");

export default [
  // CommonJS build of the server half, for `require("echo-socket/server")`.
  {
    input: "dist/server/index.js",
    external: isBare,
    output: { file: "dist/server/index.cjs", format: "cjs", sourcemap: true, exports: "named" },
  },
  // One declaration file for the CommonJS entry, so TypeScript sees CJS types there.
  {
    input: "dist/server/index.d.ts",
    external: isBare,
    plugins: [dts()],
    output: { file: "dist/server/index.d.cts", format: "cjs" },
  },
];
