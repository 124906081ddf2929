// The built package as a user gets it: `require` and `import` of "echo-socket/client" (run after `npm run build`).
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);

// A real echo-socket server, and one message through the client loaded as `load` says.
const roundTrip = (load: string) => `
${load}
const { createServer } = require("node:http");
const { attachEchoSocket } = require("echo-socket/server");
const server = createServer();
const handle = attachEchoSocket(server, { logger: false });
server.listen(0, "127.0.0.1", async () => {
  const client = new EchoClient({ url: "http://127.0.0.1:" + server.address().port });
  const { outcome } = client.send("loaded");
  const { state, entry } = await outcome;
  client.close();
  await handle.close();
  server.close();
  console.log(JSON.stringify({ state, echo: entry.echo, storage: typeof fileStorage, defaults: CLIENT_DEFAULTS.sendEvent }));
});
`;

describe("echo-socket/client, built", () => {
  it.each([
    ["require", ["-e", roundTrip(`const { EchoClient, fileStorage, CLIENT_DEFAULTS } = require("echo-socket/client");`)]],
    [
      "import",
      [
        "--input-type=module",
        "-e",
        `import { createRequire } from "node:module"; const require = createRequire(process.cwd() + "/");` +
          roundTrip(`const { EchoClient, fileStorage, CLIENT_DEFAULTS } = await import("echo-socket/client");`),
      ],
    ],
  ])("loads through %s and echoes", async (_how, args) => {
    const { stdout } = await run(process.execPath, args, { cwd: process.cwd(), timeout: 10_000 });
    expect(JSON.parse(stdout)).toEqual({ state: "echoed", echo: "loaded", storage: "function", defaults: "ms" });
  });
});
