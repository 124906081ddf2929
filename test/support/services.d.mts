import type { RedisService } from "./scaled-deployment.d.mts";

export function freePort(): Promise<number>;
export function waitForPort(port: number, ms?: number): Promise<void>;
export function startRedis(): Promise<RedisService>;
export interface NginxOptions {
  /** Add an X-Echo-Node header naming the node that answered (default false). */
  debugHeader?: boolean;
  /** `ip_hash` in the upstream block (default true); false: round-robin, no stickiness. */
  sticky?: boolean;
  /** proxy_http_version 1.1 and the Upgrade/Connection headers (default true); false: WebSocket cannot pass. */
  upgradeHeaders?: boolean;
  /** proxy_read_timeout (default "60s"). */
  readTimeout?: string;
}

export function nginxConfig(options: { listenPort: number; upstreamPorts: number[]; root: string } & NginxOptions): string;
export function startNginx(upstreamPorts: number[], options?: NginxOptions): Promise<{ port: number; url: string; stop(): Promise<void> }>;
