// Long-polling requests over Node's http/https, each with its own timeout and a bounded body, and a
// cookie jar: a cloud load balancer's affinity cookie goes back as a browser would send it.
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { MAX_TIMER_MS, parseEngineError } from "./engine-io.js";
import { StepError, classifyError, timeoutFailure } from "./failures.js";
import type { Target } from "./target.js";

export interface HttpReply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  ms: number;
}

const MAX_BODY = 4 * 1024 * 1024;
/** Connections at once to the server: a long poll, a POST and a close fit; a flood of requests waits its turn. */
export const MAX_SOCKETS = 4;
/** The cookie jar's bounds, as a browser's per-site ones: more cookies, or a longer Cookie header, are not kept. */
export const MAX_COOKIES = 50;
export const MAX_COOKIE_BYTES = 4096;

export class HttpClient {
  private readonly agent: HttpAgent;
  readonly cookies = new Map<string, string>();

  constructor(private readonly target: Target) {
    this.agent = target.secure
      ? new HttpsAgent({ keepAlive: true, maxSockets: MAX_SOCKETS, maxTotalSockets: MAX_SOCKETS })
      : new HttpAgent({ keepAlive: true, maxSockets: MAX_SOCKETS, maxTotalSockets: MAX_SOCKETS });
  }

  /** One request; throws a StepError on a network error or timeout (any status is a reply). */
  request(
    method: "GET" | "POST",
    url: string,
    { body, headers = {}, timeoutMs, signal }: { body?: string; headers?: Record<string, string>; timeoutMs: number; signal?: AbortSignal },
  ): Promise<HttpReply> {
    const started = performance.now();
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
    const allHeaders: Record<string, string> = { ...headers };
    if (cookie) allHeaders.cookie = cookie;
    if (body !== undefined) {
      allHeaders["content-type"] = "text/plain;charset=UTF-8";
      allHeaders["content-length"] = String(Buffer.byteLength(body));
    }
    const send = this.target.secure ? httpsRequest : httpRequest;
    return new Promise<HttpReply>((resolve, reject) => {
      const request = send(url, { method, headers: allHeaders, agent: this.agent });
      const timer = setTimeout(
        () => {
          request.destroy();
          reject(new StepError(timeoutFailure("http", `${method} ${new URL(url).pathname}`, timeoutMs)));
        },
        Math.min(timeoutMs, MAX_TIMER_MS),
      );
      request.once("error", (error) => {
        clearTimeout(timer);
        reject(new StepError(classifyError("http", error)));
      });
      // Aborted (a long poll on a link the check closed): the connection goes, so it holds no socket of the agent's few.
      const abort = (): void => {
        request.destroy();
        clearTimeout(timer);
        reject(new StepError({ step: "http", kind: "closed", message: `${method} ${new URL(url).pathname}: aborted` }));
      };
      if (signal?.aborted) abort();
      signal?.addEventListener("abort", abort, { once: true });
      request.once("close", () => signal?.removeEventListener("abort", abort));
      request.once("response", (response) => {
        this.keepCookies(response.headers["set-cookie"]);
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY) {
            response.destroy();
            clearTimeout(timer);
            reject(new StepError({ step: "http", kind: "malformed", status: response.statusCode, message: `the answer was over ${MAX_BODY} bytes` }));
            return;
          }
          chunks.push(chunk);
        });
        response.once("error", (error) => {
          clearTimeout(timer);
          reject(new StepError(classifyError("http", error)));
        });
        response.once("end", () => {
          clearTimeout(timer);
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString("utf8"),
            ms: performance.now() - started,
          });
        });
      });
      request.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }

  private keepCookies(setCookie: string[] | undefined): void {
    for (const line of setCookie ?? []) {
      const pair = line.split(";")[0] ?? "";
      const eq = pair.indexOf("=");
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (!this.cookies.has(name) && this.cookies.size >= MAX_COOKIES) continue;
      const before = this.cookies.get(name);
      this.cookies.set(name, value);
      if (this.cookieBytes() > MAX_COOKIE_BYTES) {
        if (before === undefined) this.cookies.delete(name);
        else this.cookies.set(name, before);
      }
    }
  }

  private cookieBytes(): number {
    let bytes = 0;
    for (const [name, value] of this.cookies) bytes += name.length + value.length + 3;
    return bytes;
  }

  /** The Cookie header a WebSocket on this target should carry, if any. */
  cookieHeader(): Record<string, string> {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
    return cookie ? { cookie } : {};
  }
}

/** A reply that is not the expected status, as a step error naming the status and engine.io's reason. */
export function statusError(what: string, reply: HttpReply): StepError {
  const engineError = parseEngineError(reply.body);
  const reason = engineError ? ` ${JSON.stringify(engineError)}` : reply.body ? ` ${JSON.stringify(snippet(reply.body))}` : "";
  return new StepError({
    step: "http",
    kind: "status",
    status: reply.status,
    engineError,
    body: snippet(reply.body),
    message: `${what}: HTTP ${reply.status}${reason}`,
  });
}

export function snippet(text: string, length = 80): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > length ? `${line.slice(0, length)}…` : line;
}
