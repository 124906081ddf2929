// An Express 5 app in ESM, as a user writes it from the README: attach, mount the router, then one
// message through echo-socket's Node client; prints what came back as JSON and exits. With `--serve`
// it only listens (printing its URL) until SIGTERM, for the standalone page of another origin.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import express from "express";
import { attachEchoSocket, echoSocketRouter } from "echo-socket/server";
import { EchoClient } from "echo-socket/client";

const app = express();
const server = createServer(app);
const echo = attachEchoSocket(server, { logger: false });
app.use("/echo", echoSocketRouter({ handle: echo }));
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const url = `http://127.0.0.1:${server.address().port}`;

if (process.argv.includes("--serve")) {
  console.log(JSON.stringify({ url }));
  process.once("SIGTERM", async () => {
    await echo.close();
    server.close();
  });
} else {
  const client = new EchoClient({ url });
  const { outcome } = client.send({ hello: "from express 5" });
  const { state, entry } = await outcome;
  client.close();
  const health = await (await fetch(`${url}/echo/health`)).json();
  await echo.close();
  server.close();
  const expressPackage = createRequire(import.meta.url).resolve("express/package.json");
  console.log(JSON.stringify({ express: JSON.parse(readFileSync(expressPackage, "utf8")).version, state, echo: entry.echo, echoes: health.echoes }));
}
