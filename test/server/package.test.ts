// The built package as a user gets it: `import` and `require` of "echo-socket/server" (run after `npm run build`).
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);

// Attach to a real server, echo one message through a real client, and print what came back.
const roundTrip = (load: string) => `
${load}
const { createServer } = require("node:http");
const { io } = require("socket.io-client");
const server = createServer();
const handle = attachEchoSocket(server, { logger: false });
server.listen(0, "127.0.0.1", () => {
  const client = io("http://127.0.0.1:" + server.address().port, { transports: ["websocket"] });
  client.on("echo", async (data) => {
    client.disconnect();
    await handle.close();
    server.close();
    console.log(JSON.stringify({ data, router: typeof echoSocketRouter, echoes: handle.stats().echoes }));
  });
  client.emit("ms", "loaded");
});
`;

describe("the built package", () => {
  it.each([
    ["require", "node", ["-e", roundTrip(`const { attachEchoSocket, echoSocketRouter } = require("echo-socket/server");`)]],
    [
      "import",
      "node",
      [
        "--input-type=module",
        "-e",
        `import { createRequire } from "node:module"; const require = createRequire(process.cwd() + "/");` +
          roundTrip(`const { attachEchoSocket, echoSocketRouter } = await import("echo-socket/server");`),
      ],
    ],
  ])("loads through %s and echoes", async (_how, command, args) => {
    const { stdout } = await run(command, args as string[], { cwd: process.cwd(), timeout: 10_000 });
    expect(JSON.parse(stdout)).toEqual({ data: "loaded", router: "function", echoes: 1 });
  });
});
