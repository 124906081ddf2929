import type { RedisService } from "./scaled-deployment.d.mts";

export function freePort(): Promise<number>;
export function waitForPort(port: number, ms?: number): Promise<void>;
export function startRedis(): Promise<RedisService>;
export function nginxConfig(options: { listenPort: number; upstreamPorts: number[]; root: string; debugHeader?: boolean }): string;
export function startNginx(upstreamPorts: number[], options?: { debugHeader?: boolean }): Promise<{ port: number; url: string; stop(): Promise<void> }>;
