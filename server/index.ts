export { attachEchoSocket, type EchoSocketHandle, type EchoSocketTarget } from "./attach.js";
export { ATTACH_DEFAULTS, type AttachOptions } from "./options/attach-options.js";
export { echoSocketRouter, ROUTER_DEFAULTS, type RouterOptions } from "./http/router.js";
export type { EchoStats } from "./state/stats.js";
export type { Logger } from "./logging/logger.js";
export type { TrustProxy } from "./admission/client-address.js";
export type { AllowedOrigins } from "./admission/origins.js";
export { DELIVERY_KEY, ERROR_EVENT, READY_EVENT, type EchoAck, type Refusal, type RefusalCode, type RefusalError } from "../protocol/index.js";
export {
  memoryStore,
  type AddressLimiter,
  type EchoStore,
  type EchoStoreFactory,
  type StoreConfig,
  type StoreStatus,
  type ConnectionCounts,
} from "./state/store.js";
export { redisStore, type RedisStoreOptions, type RedisClientLike } from "./state/redis-store.js";
export type { ClusterStats } from "./state/cluster-stats.js";
export type { RefusalCounts } from "./state/stats.js";
export { registerEchoSocketMetrics, METRIC_NAMES, type MetricsRegistry } from "./metrics/prometheus.js";
