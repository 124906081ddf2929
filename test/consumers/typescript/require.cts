// The CommonJS entry points' types (index.d.cts), as a `require` user sees them (type-checked, never run).
import server = require("echo-socket/server");
import client = require("echo-socket/client");
import { createServer } from "node:http";

const handle: server.EchoSocketHandle = server.attachEchoSocket(createServer(), { logger: false });
const stats: server.EchoStats = handle.stats();
const router = server.echoSocketRouter({ handle });
const echoClient: client.EchoClient = new client.EchoClient({ url: "http://localhost:3000" });
const sent: client.SendResult = echoClient.send("hello");
console.log(stats.echoes, typeof router, sent.entry.id);

// @ts-expect-error logger takes a Logger or false
server.attachEchoSocket(createServer(), { logger: "yes" });
