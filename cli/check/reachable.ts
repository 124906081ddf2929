// Reachable: DNS, TCP, TLS, then the long-polling handshake's HTTP status, each step on its own.
import { lookup } from "node:dns/promises";
import { connect as tcpConnect, isIP, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { DEFAULT_PATH } from "../../protocol/index.js";
import { decodePayload, openPacketProblem, parseEngineError } from "./engine-io.js";
import { StepError, classifyError, failureOf, timeoutFailure, type Step } from "./failures.js";
import { snippet } from "./http-client.js";
import { pollingHandshake } from "./links.js";
import { reachableVerdict, type ReachableObservation } from "./verdicts.js";
import type { CheckContext, CheckResult } from "./types.js";

export async function checkReachable(ctx: CheckContext): Promise<CheckResult[]> {
  const { target, budget } = ctx;
  const o: ReachableObservation = { host: target.host, port: target.port, secure: target.secure, enginePath: target.enginePath, path: target.path };
  let step: Step = "dns";
  try {
    let address = target.host;
    if (!isIP(target.host)) {
      const started = performance.now();
      const found = await within(lookup(target.host), budget.step("dns"), "dns", `DNS lookup of ${target.host}`);
      address = found.address;
      o.dnsMs = performance.now() - started;
    }
    o.address = address;
    step = "tcp";
    let started = performance.now();
    const socket = await tcp(address, target.port, budget.step("tcp"));
    o.tcpMs = performance.now() - started;
    if (target.secure) {
      step = "tls";
      started = performance.now();
      await tls(socket, isIP(target.host) ? undefined : target.host, budget.step("tls"));
      o.tlsMs = performance.now() - started;
    }
    socket.destroy();
    step = "http";
    const handshake = await pollingHandshake(ctx.http, target, { timeoutMs: budget.step("http") });
    ctx.facts.handshake = handshake;
    ctx.facts.open = handshake.open;
    const { reply, open } = handshake;
    o.reply = {
      status: reply.status,
      ms: reply.ms,
      body: snippet(reply.body),
      engineError: parseEngineError(reply.body),
      open,
      openProblem: open ? undefined : openPacketProblem(decodePayload(reply.body)[0]),
      location: typeof reply.headers.location === "string" ? reply.headers.location : undefined,
    };
  } catch (error) {
    o.failure = failureOf(error, step);
  }
  // A path that answers nothing useful: does socket.io's default path answer?
  const wrongPath = o.reply ? o.reply.status === 404 || (o.reply.status === 200 && !o.reply.open) : o.failure?.step === "http" && o.failure.kind === "timeout";
  if (wrongPath && target.path !== DEFAULT_PATH) {
    try {
      const other = await pollingHandshake(ctx.http, target, { timeoutMs: budget.step("http"), path: `${DEFAULT_PATH}/` });
      o.defaultPathAnswers = other.open !== undefined || parseEngineError(other.reply.body) !== undefined;
    } catch {
      o.defaultPathAnswers = false;
    }
  }
  return [reachableVerdict(o)];
}

function within<T>(promise: Promise<T>, ms: number, step: Step, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new StepError(timeoutFailure(step, what, ms))), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(new StepError(classifyError(step, error)));
      },
    );
  });
}

function tcp(host: string, port: number, ms: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new StepError(timeoutFailure("tcp", "TCP connect", ms)));
    }, ms);
    socket.once("connect", () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once("error", (error) => {
      clearTimeout(timer);
      reject(new StepError(classifyError("tcp", error)));
    });
  });
}

function tls(socket: Socket, servername: string | undefined, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const secure = tlsConnect({ socket, servername, ALPNProtocols: ["http/1.1"] });
    const timer = setTimeout(() => {
      secure.destroy();
      reject(new StepError(timeoutFailure("tls", "TLS handshake", ms)));
    }, ms);
    secure.once("secureConnect", () => {
      clearTimeout(timer);
      secure.destroy();
      resolve();
    });
    secure.once("error", (error) => {
      clearTimeout(timer);
      const failure = classifyError("tls", error);
      reject(new StepError({ ...failure, step: "tls", kind: failure.kind === "reset" ? "reset" : "tls" }));
    });
  });
}
