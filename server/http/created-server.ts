import type { Server as HttpServer } from "node:http";
import type { Server as HttpsServer } from "node:https";
import { Server } from "socket.io";
import { Admission } from "../admission/admission.js";
import { socketIoServerOptions, type ResolvedAttachOptions } from "../options/attach-options.js";
import { trackListeners } from "./http-listeners.js";
import { caught, type ListenerFailed } from "../logging/listener-errors.js";
import type { EchoStore } from "../state/store.js";

interface EngineClient {
  readyState: string;
  once(event: "close", fn: () => void): unknown;
}

/** A socket.io server echo-socket made on the user's HTTP server, and how to take it off again. */
export interface CreatedServer {
  io: Server;
  admission: Admission;
  /** Closes every client and gives the HTTP server its own listeners back. */
  release(): Promise<void>;
}

export function createSocketIoServer(
  target: HttpServer | HttpsServer,
  options: ResolvedAttachOptions,
  store: EchoStore,
  failed: ListenerFailed,
): CreatedServer {
  const admission = new Admission(options, store, failed);
  let io!: Server;
  const restoreListeners = trackListeners(target as HttpServer, () => {
    io = new Server(target, socketIoServerOptions(options, admission.allowRequest, store));
  });
  const onEngineConnection = caught(
    "echo-socket's admission count",
    failed,
    (client: Parameters<Admission["track"]>[0]) => admission.track(client),
    (client) => void (client as { close(discard: boolean): void }).close(true),
  );
  io.engine.on("connection", onEngineConnection);

  return {
    io,
    admission,
    async release() {
      const open = [...admission.open] as unknown as EngineClient[];
      io.engine.close(); // closes every client (clients see a transport close and reconnect) and the ws server
      await Promise.all(open.map(waitForClose));
      await Promise.all([...new Set([io.of("/"), io.of(options.namespace)])].map((nsp) => nsp.adapter.close()));
      io.engine.off("connection", onEngineConnection);
      admission.dispose();
      restoreListeners();
    },
  };
}

function waitForClose(client: EngineClient): Promise<void> {
  return client.readyState === "closed" ? Promise.resolve() : new Promise((resolve) => client.once("close", () => resolve()));
}
