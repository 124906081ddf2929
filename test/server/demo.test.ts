// `npm start` as a user runs it: the built demo server in its own process.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import { io } from "socket.io-client";
import { waitFor } from "./helpers.js";

let demo: ChildProcess | undefined;
afterEach(() => {
  if (demo && demo.exitCode === null) demo.kill("SIGKILL");
});

async function startDemo(): Promise<string> {
  demo = spawn(process.execPath, ["dist/demo/server.js"], { env: { ...process.env, PORT: "0", HOST: "127.0.0.1" } });
  // Keep reading stdout for the whole run: a closed pipe would make the demo's later logging fail.
  let output = "";
  return new Promise((resolve, reject) => {
    demo!.stdout!.on("data", (chunk: Buffer) => {
      output += chunk;
      const url = /open (http:\/\/\S+)\//.exec(output)?.[1];
      if (url) resolve(url);
    });
    demo!.once("exit", () => reject(new Error(`the demo exited without printing its URL: ${output}`)));
  });
}

describe("the demo (npm start)", () => {
  it("serves the page with the element, the bundle and an echo, then stops cleanly on SIGTERM", async () => {
    const url = await startDemo();
    const page = await (await fetch(`${url}/`)).text();
    expect(page).toContain('<script src="/echo/echo-socket.js"></script>');
    expect(page).toContain("<echo-socket></echo-socket>");
    expect(page).toContain(`&#60;script src=&#34;${url}/echo/echo-socket.js&#34;&#62;`);
    expect((await fetch(`${url}/echo/echo-socket.js`)).status).toBe(200);

    const client = io(url, { path: "/socket.io", forceNew: true, reconnection: false });
    const echoed = waitFor(client, "echo");
    client.emit("ms", "demo");
    expect((await echoed)[0]).toEqual("demo");
    client.disconnect();

    demo!.kill("SIGTERM");
    const [code] = await once(demo!, "exit");
    expect(code).toBe(0);
  });
});
