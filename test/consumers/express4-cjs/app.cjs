// An Express 4 app in CommonJS, as a user writes it from the README: attach, mount the router, then
// one message through echo-socket's Node client. Prints what came back as JSON and exits.
const { createServer } = require("node:http");
const express = require("express");
const { attachEchoSocket, echoSocketRouter } = require("echo-socket/server");
const { EchoClient } = require("echo-socket/client");

const app = express();
const server = createServer(app);
const echo = attachEchoSocket(server, { logger: false });
app.use("/echo", echoSocketRouter({ handle: echo }));

server.listen(0, "127.0.0.1", async () => {
  const url = `http://127.0.0.1:${server.address().port}`;
  const client = new EchoClient({ url });
  const { outcome } = client.send({ hello: "from express 4" });
  const { state, entry } = await outcome;
  client.close();
  const health = await (await fetch(`${url}/echo/health`)).json();
  const script = await fetch(`${url}/echo/echo-socket.js`);
  await echo.close();
  server.close();
  console.log(
    JSON.stringify({
      express: require("express/package.json").version,
      state,
      echo: entry.echo,
      echoes: health.echoes,
      script: [script.status, script.headers.get("content-type")],
    }),
  );
});
