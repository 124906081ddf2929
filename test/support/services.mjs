// Real Redis and nginx for the scale-out tests: each test starts its own on free loopback ports,
// in a temporary folder, and stops them. `.ci/run` installs Debian's redis-server and nginx.
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stopChild } from "./spawn-node.mjs";
import { until } from "./until.mjs";

// Debian puts nginx in /usr/sbin, which a non-root PATH may lack.
const NGINX = process.env.NGINX_PATH ?? (existsSync("/usr/sbin/nginx") ? "/usr/sbin/nginx" : "nginx");
const REDIS_SERVER = process.env.REDIS_SERVER_PATH ?? "redis-server";

/** A loopback port nothing listens on right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Whether `port` accepts a TCP connection now. */
function accepts(port) {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Resolves once `port` accepts a TCP connection; rejects after `ms`. */
export function waitForPort(port, ms = 10_000) {
  return until(() => accepts(port), { timeout: ms, interval: 20, what: `something to listen on 127.0.0.1:${port}` });
}

/**
 * redis-server on a free loopback port, nothing saved to disk. `stop()` kills it (as a crash would);
 * `start()` starts it again on the same port, empty; `pause()` and `resume()` stall it and end the stall.
 */
export async function startRedis() {
  const port = await freePort();
  let child;
  const redis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      child = spawn(REDIS_SERVER, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      child.stdout.resume();
      await waitForPort(port);
    },
    stop: () => stopChild(child),
    /** SIGSTOP: Redis stalls (the connection stays open, nothing answers), as under a swap storm or a long fork. */
    pause: () => void child.kill("SIGSTOP"),
    /** SIGCONT: Redis answers again, the stalled commands first. */
    resume: () => void child.kill("SIGCONT"),
  };
  await redis.start();
  return redis;
}

/**
 * The nginx configuration the README documents, in front of echo-socket nodes on `upstreamPorts`:
 * sticky by client address (socket.io's long-polling needs every request of a session on one node),
 * WebSocket upgrade headers, and timeouts longer than socket.io's heartbeat (25 s ping + 20 s wait).
 * The deployment doctor's tests break it on purpose: `sticky: false` is plain round-robin,
 * `upgradeHeaders: false` drops the three WebSocket lines, `readTimeout` shortens proxy_read_timeout.
 */
export function nginxConfig({ listenPort, upstreamPorts, root, debugHeader = false, sticky = true, upgradeHeaders = true, readTimeout = "60s" }) {
  const upgrade = upgradeHeaders
    ? `
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;`
    : "";
  return `worker_processes 1;
daemon off;
pid ${root}/nginx.pid;
error_log ${root}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${root}/body;
  proxy_temp_path ${root}/proxy;
  fastcgi_temp_path ${root}/fastcgi;
  uwsgi_temp_path ${root}/uwsgi;
  scgi_temp_path ${root}/scgi;

  upstream echo_socket_nodes {${sticky ? "\n    ip_hash;" : ""}
${upstreamPorts.map((port) => `    server 127.0.0.1:${port} max_fails=1 fail_timeout=5s;`).join("\n")}
  }

  map $http_upgrade $connection_upgrade {
    default upgrade;
    ""      close;
  }

  server {
    listen 127.0.0.1:${listenPort};
    location / {
      proxy_pass http://echo_socket_nodes;${upgrade}
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_read_timeout ${readTimeout};
      proxy_send_timeout 60s;
      proxy_connect_timeout 2s;
      proxy_next_upstream error timeout http_502 http_503;
      proxy_buffering off;${debugHeader ? "\n      add_header X-Echo-Node $upstream_addr always;" : ""}
    }
  }
}
`;
}

/**
 * nginx (Debian's) on a free loopback port, proxying to `upstreamPorts`; `debugHeader` names the node in
 * each response; `sticky`, `upgradeHeaders` and `readTimeout` as in `nginxConfig`.
 */
export async function startNginx(upstreamPorts, { debugHeader = false, sticky = true, upgradeHeaders = true, readTimeout = "60s" } = {}) {
  const root = mkdtempSync(join(tmpdir(), "echo-socket-nginx-"));
  chmodSync(root, 0o755); // nginx's workers may run as another user
  const listenPort = await freePort();
  writeFileSync(join(root, "nginx.conf"), nginxConfig({ listenPort, upstreamPorts, root, debugHeader, sticky, upgradeHeaders, readTimeout }));
  const child = spawn(NGINX, ["-p", root, "-e", join(root, "error.log"), "-c", join(root, "nginx.conf")], { stdio: ["ignore", "ignore", "inherit"] });
  await waitForPort(listenPort);
  return {
    port: listenPort,
    url: `http://127.0.0.1:${listenPort}`,
    async stop() {
      await stopChild(child, "SIGTERM");
      rmSync(root, { recursive: true, force: true });
    },
  };
}
