// Long-polling requests over Node's http/https, each with its own timeout and a bounded body, and a
// cookie jar: a cloud load balancer's affinity cookie goes back as a browser would send it.
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { parseEngineError } from "./engine-io.js";
import { StepError, classifyError, timeoutFailure } from "./failures.js";
import type { Target } from "./target.js";

export interface HttpReply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  ms: number;
}

const MAX_BODY = 4 * 1024 * 1024;

export class HttpClient {
  private readonly agent: HttpAgent;
  readonly cookies = new Map<string, string>();

  constructor(private readonly target: Target) {
    this.agent = target.secure ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
  }

  /** One request; throws a StepError on a network error or timeout (any status is a reply). */
  request(
    method: "GET" | "POST",
    url: string,
    { body, headers = {}, timeoutMs }: { body?: string; headers?: Record<string, string>; timeoutMs: number },
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
      const timer = setTimeout(() => {
        request.destroy();
        reject(new StepError(timeoutFailure("http", `${method} ${new URL(url).pathname}`, timeoutMs)));
      }, timeoutMs);
      request.once("error", (error) => {
        clearTimeout(timer);
        reject(new StepError(classifyError("http", error)));
      });
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
      if (eq > 0) this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
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
