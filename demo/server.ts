// The demo: `npm start`, then open the URL it prints.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { attachEchoSocket, echoSocketRouter } from "../server/index.js";
import { demoPage } from "./page.js";

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? "localhost";

const app = express();
const server = createServer(app);
// Slow or half-sent requests must not hold sockets for minutes.
server.headersTimeout = 10_000;
server.requestTimeout = 30_000;
const echo = attachEchoSocket(server);
app.use("/echo", echoSocketRouter({ handle: echo }));
app.get("/", function demoIndex(req, res) {
  res.type("html").send(demoPage(`${req.protocol}://${req.get("host") ?? host}`));
});

server.listen(port, host, () => {
  const { port: actualPort } = server.address() as AddressInfo;
  console.log(`echo-socket demo: open http://${host}:${actualPort}/`);
});

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: closing echo-socket demo`);
  await echo.close(); // graceful: queued echoes go out, clients are told to reconnect
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 5000).unref();
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
