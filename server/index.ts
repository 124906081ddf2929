export { attachEchoSocket, type EchoSocketHandle, type EchoSocketTarget } from "./attach.js";
export { ATTACH_DEFAULTS, type AttachOptions } from "./attach-options.js";
export { echoSocketRouter, ROUTER_DEFAULTS, type RouterOptions } from "./router.js";
export type { EchoStats } from "./stats.js";
export type { Logger } from "./logger.js";
export type { TrustProxy } from "./client-address.js";
export type { EchoAck } from "./echo-handler.js";
