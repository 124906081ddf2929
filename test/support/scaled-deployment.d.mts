export interface ScaledNode {
  port: number;
  url: string;
  /** Lines the node printed (stdout, then stderr). */
  readonly log: string[];
  alive(): boolean;
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export interface RedisService {
  port: number;
  url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  pause(): void;
  resume(): void;
}

export interface HealthBody {
  status: string;
  connections?: number;
  echoes?: number;
  nodes?: number;
  store?: string;
  error?: string;
}

export interface ScaledDeployment {
  redis: RedisService;
  ports: number[];
  nodes: Array<ScaledNode | undefined>;
  url: string;
  startNode(index: number): Promise<ScaledNode>;
  servingNode(): Promise<number>;
  health(index?: number): Promise<HealthBody>;
  stop(): Promise<void>;
}

export function startScaledDeployment(options?: { nodes?: number; options?: Record<string, unknown>; startNodes?: boolean }): Promise<ScaledDeployment>;
