// The demo: `npm start`, then open the URL it prints. `echo-socket serve` runs the same code.
import { serveDemo, optionsFromEnvironment } from "./app.js";

await serveDemo({
  port: Number(process.env.PORT ?? 3000),
  host: process.env.HOST ?? "localhost",
  options: optionsFromEnvironment(),
  name: "echo-socket demo",
  announce: (url) => `echo-socket demo: open ${url}/`,
});
