// echo-socket/client: the headless client (browsers and Node 20+), with no UI. `<echo-socket>` is a view over it.
export { EchoClient } from "./echo-client.js";
export type { RttSummary } from "./rtt-stats.js";
export { CLIENT_DEFAULTS, type EchoClientOptions } from "./options.js";
export { EchoClientError, type EchoClientErrorCode } from "./errors.js";
export type {
  EchoClientEventMap,
  EchoEvent,
  EntryEvent,
  NoticeEvent,
  RefusalEvent,
  SendOutcome,
  SendResult,
  StatusEvent,
} from "./events.js";
export type { Listener } from "./emitter.js";
export type { ConnectionError, ConnectionStatus } from "./connection.js";
export { DIAGNOSES, diagnose, type Diagnosis, type DiagnosisCode, type FailureFacts } from "./diagnosis.js";
export type { MessageEntry, MessageState } from "./message-log.js";
export type { Clock } from "./clock.js";
export { browserClock as systemClock } from "./clock.js";
export { DEFAULT_PACING, type PacingOptions } from "./pacer.js";
export { MAX_RETRY_DELAY_MS, MIN_RETRY_DELAY_MS, DEFAULT_RETRY_DELAY_MS } from "./retry-delay.js";
export type { UnsentStorage, UnsentWriter } from "./storage/unsent-storage.js";
export { memoryStorage } from "./storage/memory-storage.js";
export { localStorageStorage } from "./storage/local-storage.js";
export { fileStorage } from "./storage/file-storage.js";
export { MAX_STORED_CHARS, parseStored, type StoredMessage, type Restored } from "./unsent-store.js";

/** `new EchoClient(options)`, for those who prefer a factory. */
export { createEchoClient } from "./create.js";
