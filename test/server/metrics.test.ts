// GET /metrics (echoSocketRouter({ handle, metrics })): a real server, real clients, a real scrape.
import { Counter, Registry } from "prom-client";
import { io } from "socket.io-client";
import { afterEach, describe, expect, it } from "vitest";
import { echoSocketRouter, METRIC_NAMES } from "../../server/index.js";
import { METRICS_REUSE_MS, metricsHandler } from "../../server/metrics/handler.js";
import { spawnNode, stopChild } from "../support/spawn-node.mjs";
import { startServer, type TestServer } from "./helpers.js";

const servers: TestServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function serverWithMetrics(metrics: boolean | Registry, options = {}): Promise<TestServer> {
  const server = await startServer(options);
  servers.push(server);
  server.app.use("/ops", echoSocketRouter({ handle: server.handle, metrics, element: false }));
  return server;
}

/** The value of one sample line (`name{labels} value`) of a scrape, or undefined. */
function sample(scrape: string, line: string): number | undefined {
  const found = scrape.split("\n").find((text) => text.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
}

describe("Prometheus metrics", () => {
  it("serves echo-socket's figures after 100 echoes, with Node's default metrics, in the text format", async () => {
    const server = await serverWithMetrics(true);
    const client = server.connect({ transports: ["websocket"] });
    for (let i = 0; i < 100; i++) await client.timeout(5000).emitWithAck("ms", `message ${i}`, { echoSocketId: `metrics-${i}` });
    // A second send of one id is echoed again and counted as de-duplicated.
    await client.timeout(5000).emitWithAck("ms", "message 0", { echoSocketId: "metrics-0" });

    const response = await fetch(`${server.url}/ops/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain; version=0.0.4");
    expect(response.headers.get("cache-control")).toBe("no-store");
    const scrape = await response.text();
    for (const name of METRIC_NAMES) expect(scrape, name).toContain(`# TYPE ${name} `);
    expect(sample(scrape, "echo_socket_echoes_total")).toBe(100);
    expect(sample(scrape, "echo_socket_acked_total")).toBe(101);
    expect(sample(scrape, "echo_socket_deduplicated_total")).toBe(1);
    expect(sample(scrape, "echo_socket_connections")).toBe(1);
    expect(sample(scrape, "echo_socket_connections_total")).toBe(1);
    expect(sample(scrape, 'echo_socket_refused_total{code="rate_limited"}')).toBe(0);
    expect(sample(scrape, 'echo_socket_store_up{store="memory"}')).toBe(1);
    expect(scrape).toContain("# TYPE process_cpu_user_seconds_total counter");
  });

  it("counts refusals by code", async () => {
    const server = await serverWithMetrics(true, { maxMessageBytes: 1000 });
    const client = server.connect({ transports: ["websocket"] });
    const reply = await client.timeout(5000).emitWithAck("ms", "x".repeat(2000), { echoSocketId: "too-big" });
    expect(reply).toMatchObject({ ok: false, error: { code: "message_too_large" } });
    expect(server.handle.refusals()).toMatchObject({ message_too_large: 1, rate_limited: 0 });
    const scrape = await (await fetch(`${server.url}/ops/metrics`)).text();
    expect(sample(scrape, 'echo_socket_refused_total{code="message_too_large"}')).toBe(1);
    expect(sample(scrape, "echo_socket_echoes_total")).toBe(0);
  });

  it("registers into the app's own registry and serves it whole", async () => {
    const registry = new Registry();
    new Counter({ name: "app_orders_total", help: "The app's own metric.", registers: [registry] }).inc(3);
    const server = await serverWithMetrics(registry);
    const scrape = await (await fetch(`${server.url}/ops/metrics`)).text();
    expect(sample(scrape, "app_orders_total")).toBe(3);
    expect(sample(scrape, "echo_socket_connections")).toBe(0);
    expect(scrape).not.toContain("process_cpu_user_seconds_total"); // the app decides about default metrics
  });

  it("renders at most once a second however many scrapes come, and answers a failure with a plain 503", async () => {
    let renders = 0;
    let fail = false;
    class CountingRegistry extends Registry {
      override async metrics(): Promise<string> {
        renders++;
        if (fail) throw new Error("secret detail /srv/app/metrics.js");
        return super.metrics();
      }
    }
    let clock = 0;
    const server = await startServer();
    servers.push(server);
    const registry = new CountingRegistry();
    new Counter({ name: "app_scrapes_total", help: "A metric of the app's.", registers: [registry] }).inc(1);
    server.app.get(
      "/metrics",
      metricsHandler(registry, () => clock),
    );
    const scrape = () => fetch(`${server.url}/metrics`);

    const burst = await Promise.all(Array.from({ length: 20 }, scrape));
    expect(burst.map((response) => response.status)).toEqual(burst.map(() => 200));
    for (const body of await Promise.all(burst.map((response) => response.text()))) expect(sample(body, "app_scrapes_total")).toBe(1);
    expect(renders).toBe(1);
    clock += METRICS_REUSE_MS - 1;
    await scrape();
    expect(renders).toBe(1);
    clock += 1;
    await scrape();
    expect(renders).toBe(2);

    fail = true;
    clock += METRICS_REUSE_MS;
    const failed = await scrape();
    expect(failed.status).toBe(503);
    expect(failed.headers.get("content-type")).toContain("text/plain");
    expect(await failed.text()).toBe("metrics unavailable\n");
    fail = false;
    expect((await scrape()).status).toBe(200); // a failure is not kept: the next scrape renders again
    expect(renders).toBe(4);
  });

  it("is off by default: /metrics falls through to the app", async () => {
    const server = await startServer();
    servers.push(server);
    server.app.use("/ops", echoSocketRouter({ handle: server.handle, element: false }));
    expect((await fetch(`${server.url}/ops/metrics`)).status).toBe(404);
  });

  it("registers into a registry once every option is checked, and refuses a registry that already has echo-socket's metrics", async () => {
    const server = await startServer();
    servers.push(server);
    const registry = new Registry();
    expect(() => echoSocketRouter({ handle: server.handle, metrics: registry, allowedOrigins: 5 as never, element: false })).toThrow(/`allowedOrigins`/);
    expect(await registry.getMetricsAsJSON()).toEqual([]); // untouched by the router that threw
    server.app.use("/ops", echoSocketRouter({ handle: server.handle, metrics: registry, element: false }));
    expect(() => echoSocketRouter({ handle: server.handle, metrics: registry, element: false })).toThrow(
      /`metrics` already holds echo-socket's metrics: give each router its own registry \(got an object\)/,
    );
    expect(sample(await (await fetch(`${server.url}/ops/metrics`)).text(), "echo_socket_connections")).toBe(0);
  });

  it("refuses a metrics option it cannot serve, naming it", async () => {
    const server = await startServer();
    servers.push(server);
    expect(() => echoSocketRouter({ metrics: true, element: false })).toThrow(/`metrics` needs `handle`/);
    expect(() => echoSocketRouter({ handle: server.handle, metrics: "yes" as never, element: false })).toThrow(
      /`metrics` must be true, false or a prom-client Registry \(got "yes"\)/,
    );
  });
});

describe("Prometheus metrics of the cluster demo (npm run start:cluster)", () => {
  it("sums every worker in one scrape, whichever worker answers it", async () => {
    const { child, match } = await spawnNode("dist/demo/cluster.js", { env: { PORT: "0", HOST: "127.0.0.1", WORKERS: "2" }, ready: /open (http:\/\/\S+)\// });
    try {
      const url = match[1]!;
      const clients = Array.from({ length: 6 }, () => io(url, { forceNew: true, reconnection: false, transports: ["websocket"] }));
      try {
        for (let round = 0; round < 3; round++) {
          await Promise.all(clients.map((client, i) => client.timeout(5000).emitWithAck("ms", `${i}`, { echoSocketId: `cluster-${i}-${round}` })));
        }
        // Round-robin spreads the scrapes too: each of these is answered by another worker.
        for (const _ of [1, 2]) {
          const scrape = await (await fetch(`${url}/echo/metrics`)).text();
          expect(sample(scrape, "echo_socket_echoes_total")).toBe(18);
          expect(sample(scrape, "echo_socket_connections")).toBe(6);
          expect(sample(scrape, 'echo_socket_store_up{store="memory"}')).toBe(1);
        }
      } finally {
        for (const client of clients) client.disconnect();
      }
    } finally {
      await stopChild(child);
    }
  });
});
