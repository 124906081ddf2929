// Prometheus metrics of one echo channel, through prom-client (an optional peer dependency, loaded
// only when metrics are asked for). Values are read from the handle at scrape time: counting stays
// the plain increments `stats()` already costs, nothing is added to the message path.
import { createRequire } from "node:module";
import type { Counter, Gauge, Registry } from "prom-client";
import type { EchoSocketHandle } from "../attach.js";
import type { EchoStats } from "../state/stats.js";

type PromClient = typeof import("prom-client");

/**
 * What echo-socket needs of a prom-client `Registry` (declared here so that the package's types do
 * not require prom-client to be installed).
 */
export interface MetricsRegistry {
  readonly contentType: string;
  metrics(): Promise<string>;
  registerMetric(metric: never): void;
}

/** Loads prom-client, or says how to get it. */
function loadPromClient(option: string): PromClient {
  try {
    return createRequire(import.meta.url)("prom-client") as PromClient;
  } catch (error) {
    throw new Error(`echo-socket: \`${option}\` needs prom-client, an optional peer dependency: npm install prom-client`, { cause: error });
  }
}

/** The counters read from `stats()`: metric name, help, and the figure it reports. */
const COUNTERS: ReadonlyArray<readonly [name: string, help: string, figure: Exclude<keyof EchoStats, "connections">]> = [
  ["echo_socket_connections_total", "Socket.IO connections to the echo namespace since start.", "totalConnections"],
  ["echo_socket_echoes_total", "Messages echoed (a re-sent duplicate is echoed again but counted once).", "echoes"],
  ["echo_socket_acked_total", "Messages carrying an id that were acknowledged.", "acked"],
  ["echo_socket_deduplicated_total", "Re-sent messages recognised by id and not counted again.", "deduplicated"],
  ["echo_socket_recovered_total", "Reconnections restored by connection state recovery (missed echoes replayed).", "recovered"],
  ["echo_socket_listener_errors_total", "Errors caught in echo-socket's listeners (the connection was closed).", "errors"],
];

/** The metric names echo-socket registers, for docs and tests. */
export const METRIC_NAMES: readonly string[] = [
  "echo_socket_connections",
  ...COUNTERS.map(([name]) => name),
  "echo_socket_refused_total",
  "echo_socket_store_up",
];

/**
 * Registers echo-socket's metrics for `handle` in `registry` (the app's own, or one made for the
 * router). Every value is this node's: with several nodes, Prometheus scrapes each (or, in one
 * host's cluster, prom-client's `AggregatorRegistry` sums the workers: counters and gauges add up).
 */
export function registerEchoSocketMetrics(handle: EchoSocketHandle, registry: MetricsRegistry): void {
  const client = loadPromClient("metrics");
  const registers = [registry as unknown as Registry];
  new client.Gauge({
    name: "echo_socket_connections",
    help: "Socket.IO connections to the echo namespace now.",
    registers,
    collect(this: Gauge) {
      this.set(handle.stats().connections);
    },
  });
  for (const [name, help, figure] of COUNTERS) {
    new client.Counter({
      name,
      help,
      registers,
      collect(this: Counter) {
        setCounter(this, handle.stats()[figure]);
      },
    });
  }
  new client.Counter({
    name: "echo_socket_refused_total",
    help: "Messages refused by a limit, by refusal code (too_many_violations: connections closed for repeated refusals).",
    labelNames: ["code"],
    registers,
    collect(this: Counter<"code">) {
      for (const [code, count] of Object.entries(handle.refusals())) setCounter(this, count, { code });
    },
  });
  new client.Gauge({
    name: "echo_socket_store_up",
    help: "1 while the shared store is reachable (always 1 for the memory store).",
    labelNames: ["store"],
    registers,
    // Summed over a cluster's workers it would count workers; the lowest is the honest figure.
    aggregator: "min",
    collect(this: Gauge<"store">) {
      const { kind, ok } = handle.storeStatus();
      this.reset();
      this.set({ store: kind }, ok ? 1 : 0);
    },
  });
}

/** A counter mirrors a total kept elsewhere: prom-client counters only go up, so reset, then add it. */
function setCounter<T extends string>(counter: Counter<T>, value: number, labels?: Partial<Record<T, string>>): void {
  if (labels) {
    counter.remove(labels);
    counter.inc(labels, value);
  } else {
    counter.reset();
    counter.inc(value);
  }
}

/** A registry of its own for `echoSocketRouter({ metrics: true })`: echo-socket's metrics and Node's default process metrics. */
export function echoSocketMetricsRegistry(handle: EchoSocketHandle): MetricsRegistry {
  const client = loadPromClient("metrics");
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  registerEchoSocketMetrics(handle, registry);
  return registry;
}
