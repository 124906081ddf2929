// echo-socket/server's public API, as an ESM TypeScript user calls it (type-checked, never run).
import { createServer } from "node:http";
import express from "express";
import {
  ATTACH_DEFAULTS,
  DELIVERY_KEY,
  ERROR_EVENT,
  METRIC_NAMES,
  READY_EVENT,
  ROUTER_DEFAULTS,
  attachEchoSocket,
  echoSocketRouter,
  memoryStore,
  redisStore,
  registerEchoSocketMetrics,
  type AddressLimiter,
  type AllowedOrigins,
  type AttachOptions,
  type ClusterStats,
  type ConnectionCounts,
  type EchoAck,
  type EchoSocketHandle,
  type EchoSocketTarget,
  type EchoStats,
  type EchoStore,
  type EchoStoreFactory,
  type Logger,
  type MetricsRegistry,
  type RedisClientLike,
  type RedisStoreOptions,
  type Refusal,
  type RefusalCode,
  type RefusalCounts,
  type RefusalError,
  type RouterOptions,
  type StoreConfig,
  type StoreStatus,
  type TrustProxy,
} from "echo-socket/server";
import type { Server } from "socket.io";

const app = express();
const server = createServer(app);
const logger: Logger = console;
const trustProxy: TrustProxy = 1;
const allowedOrigins: AllowedOrigins = ["https://example.com"];
const options: Partial<AttachOptions> = { logger, trustProxy, allowedOrigins, maxMessageBytes: ATTACH_DEFAULTS.maxMessageBytes, store: memoryStore() };
const target: EchoSocketTarget = server;
const handle: EchoSocketHandle = attachEchoSocket(target, options);
const io: Server = handle.io;
const routerOptions: Partial<RouterOptions> = { handle, health: ROUTER_DEFAULTS.health, metrics: false };
app.use("/echo", echoSocketRouter(routerOptions));

const stats: EchoStats = handle.stats();
const refusals: RefusalCounts = handle.refusals();
const status: StoreStatus = handle.storeStatus();
const cluster: Promise<ClusterStats> = handle.clusterStats(1000);
const code: RefusalCode = "rate_limited";
const error: RefusalError = { code, message: "slow down", retryAfterMs: 100 };
const refusal: Refusal = { ok: false, error };
const ack: EchoAck = { ok: true, id: "m1" };
const events: string[] = [READY_EVENT, ERROR_EVENT, DELIVERY_KEY, ...METRIC_NAMES];
const refused: number = refusals[code] + stats.echoes;

declare const redisClient: RedisClientLike;
const redisOptions: Partial<RedisStoreOptions> & Pick<RedisStoreOptions, "client"> = { client: redisClient, keyPrefix: "app" };
const shared: EchoStoreFactory = redisStore(redisOptions);
declare const config: StoreConfig;
const store: EchoStore = shared(config);
const limiter: AddressLimiter | undefined = store.addressLimiter;
const counts: ConnectionCounts = { total: 1, perAddress: new Map([["127.0.0.1", 1]]) };
store.connectionsChanged("127.0.0.1", counts);

declare const registry: MetricsRegistry;
registerEchoSocketMetrics(handle, registry);

// Wrong options are type errors, not only runtime ones.
// @ts-expect-error maxMessageBytes is a number
attachEchoSocket(server, { maxMessageBytes: "1 MB" });
// @ts-expect-error there is no such option
echoSocketRouter({ handle, healthz: true });

await handle.close();
export { io, status, cluster, refusal, ack, events, refused, limiter };
