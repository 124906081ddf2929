import type { Socket } from "socket.io";
import { caught, type ListenerFailed } from "../logging/listener-errors.js";
import { silentLogger, type Logger } from "../logging/logger.js";

/** What `registerConnectionLog` returns when there is nothing to remove. */
export const noLog = (): void => {};

/** Logs the socket's disconnect and errors, as the tutorial did, naming the client address. */
export function registerConnectionLog(socket: Socket, logger: Logger, address: string, failed: ListenerFailed): () => void {
  if (logger === silentLogger) return noLog; // `logger: false`: not even a listener per connection
  logger.info(`client ${address} connected (id ${socket.id}, ${socket.conn.transport.name})`);
  // The logger is the user's: what it throws must not escape into socket.io.
  const onDisconnect = caught("the logger", failed, (reason: string): void => logger.info(`client ${address} disconnected (${reason})`));
  const onError = caught("the logger", failed, (error: unknown): void => logger.error(`client ${address} error:`, error));
  socket.on("disconnect", onDisconnect);
  socket.on("error", onError);
  return () => {
    socket.off("disconnect", onDisconnect);
    socket.off("error", onError);
  };
}

/** Logs handshakes engine.io refused (bad transport, bad session id, bad origin), which no socket sees. */
// biome-ignore lint/complexity/noBannedTypes: engine.io's on/off overloads fit no narrower function type
export function registerHandshakeErrorLog(engine: { on: Function; off: Function }, logger: Logger): () => void {
  const onConnectionError = (error: { code?: number; message?: string; req?: { socket?: { remoteAddress?: string } } }): void =>
    logger.warn(`handshake refused for ${error.req?.socket?.remoteAddress ?? "unknown"}: ${error.message} (code ${error.code})`);
  engine.on("connection_error", onConnectionError);
  return () => engine.off("connection_error", onConnectionError);
}
