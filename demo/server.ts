// The demo: `npm start`, then open the URL it prints.
import type { AddressInfo } from "node:net";
import { closeOnSignals, createDemoApp, optionsFromEnvironment } from "./app.js";

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? "localhost";

const { server, echo } = createDemoApp(optionsFromEnvironment(), { metrics: true });
server.listen(port, host, () => {
  const { port: actualPort } = server.address() as AddressInfo;
  console.log(`echo-socket demo: open http://${host}:${actualPort}/`);
});
closeOnSignals("echo-socket demo", async () => {
  await echo.close();
  await new Promise((resolve) => server.close(resolve));
});
