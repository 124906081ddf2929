// echo-socket/client's public API, as an ESM TypeScript user calls it (type-checked, never run).
import {
  CLIENT_DEFAULTS,
  DEFAULT_PACING,
  DEFAULT_RETRY_DELAY_MS,
  EchoClient,
  EchoClientError,
  MAX_RETRY_DELAY_MS,
  MAX_STORED_CHARS,
  MIN_RETRY_DELAY_MS,
  createEchoClient,
  fileStorage,
  localStorageStorage,
  memoryStorage,
  parseStored,
  systemClock,
  type Clock,
  type ConnectionError,
  type ConnectionStatus,
  type EchoClientErrorCode,
  type EchoClientEventMap,
  type EchoClientOptions,
  type EchoEvent,
  type EntryEvent,
  type Listener,
  type MessageEntry,
  type MessageState,
  type NoticeEvent,
  type PacingOptions,
  type RefusalEvent,
  type Restored,
  type RttSummary,
  type SendOutcome,
  type SendResult,
  type StatusEvent,
  type StoredMessage,
  type UnsentStorage,
  type UnsentWriter,
} from "echo-socket/client";

const clock: Clock = systemClock;
const pacing: PacingOptions = { ...DEFAULT_PACING, ratePerSecond: 100 };
const storage: UnsentStorage = process.env.FILE
  ? fileStorage(process.env.FILE)
  : typeof localStorage === "undefined"
    ? memoryStorage()
    : localStorageStorage("echo");
const options: Partial<EchoClientOptions> = { url: "http://localhost:3000", path: CLIENT_DEFAULTS.path, storage, pacing, clock };
const client = new EchoClient(options);
const other: EchoClient = createEchoClient({ autoConnect: false });

const onStatus: Listener<EchoClientEventMap, "status"> = ({ status, transport, error }: StatusEvent) => {
  const now: ConnectionStatus = status;
  const why: ConnectionError | undefined = error;
  console.log(now, transport, why);
};
client.on("status", onStatus);
client.on("entry", ({ entry, previous }: EntryEvent) => console.log(entry.id, previous));
client.on("echo", ({ data, entry }: EchoEvent) => console.log(data, entry?.rtt));
client.on("notice", ({ message, dropped }: NoticeEvent) => console.log(message, dropped?.count));
client.on("refusal", ({ error, transient }: RefusalEvent) => console.log(error.code, transient));
const events: keyof EchoClientEventMap = "ready";

const sent: SendResult = client.send({ hello: "typed" }, "extra");
const entry: MessageEntry = sent.entry;
const state: MessageState = entry.state;
const outcome: SendOutcome = await sent.outcome;
if (outcome.state === "failed") console.log(outcome.reason);

const restored: Restored = parseStored("[]", MAX_STORED_CHARS);
const first: StoredMessage | undefined = restored.messages[0];
const delays: number[] = [MIN_RETRY_DELAY_MS, DEFAULT_RETRY_DELAY_MS, MAX_RETRY_DELAY_MS];
declare const writer: UnsentWriter;
declare const rtt: RttSummary;
const errorCode: EchoClientErrorCode = "queue_full";
const thrown = new EchoClientError(errorCode, "the queue is full");
console.log(thrown.code, rtt.count, writer, first, delays, state, events);

// @ts-expect-error retries is a number
new EchoClient({ retries: "3" });

client.close();
other.close();
