// `node echo-server-process.mjs [port]`: one echo-socket server in its own process, for crash tests.
import { startEchoServer } from "./echo-servers.mjs";

const server = await startEchoServer({ port: Number(process.argv[2] ?? 0) });
console.log(`listening ${server.port}`);
