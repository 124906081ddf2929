/**
 * Every text a person reads, by property name, with its default. Each is a property and an attribute
 * (the property name in kebab-case: `inputLabel` is `input-label`), declared from this table.
 */
export const LABELS = {
  /** Placeholder of the input. */
  placeholder: "Type a message",
  /** Label of the input. */
  inputLabel: "Message",
  /** Text of the send button. */
  sendLabel: "Send",
  /** Accessible name of the message list. */
  outputLabel: "Messages",
  /** Status word while connecting. */
  connectingLabel: "Connecting…",
  /** Status word while connected (the transport follows). */
  connectedLabel: "Connected",
  /** Status word while reconnecting. */
  reconnectingLabel: "Reconnecting…",
  /** Status word when disconnected. */
  disconnectedLabel: "Disconnected",
  /** State word of a message waiting for the connection. */
  queuedLabel: "queued",
  /** State word of a message sent, echo pending. */
  sentLabel: "sent",
  /** State word of a message whose echo came back. */
  echoedLabel: "echoed",
  /** State word of a message whose retries ran out. */
  failedLabel: "failed",
  /** State word of an echo of nothing sent here. */
  receivedLabel: "received",
  /** Text of a failed entry's retry button. */
  retryLabel: "Retry",
  /** Mark on an echo that differs from what was sent. */
  mismatchLabel: "changed in transit",
  /** Notice when the offline queue is full; `{max}` is replaced by its size. */
  queueFullLabel: "Offline queue full ({max} messages): this one stays in the input until the connection is back.",
  /** Notice when a page reload found more unsent messages than the offline queue holds; `{count}` and `{max}` are replaced. */
  droppedLabel: "{count} unsent messages from before the page was reloaded were dropped: the offline queue holds {max}.",
  /** Text of the button that empties the list. */
  clearLabel: "Clear",
  /** Shown in the empty list. */
  emptyLabel: "No messages yet.",
  /** Why a message failed when no acknowledgement came; `{ms}` and `{tries}` are replaced. */
  noAckLabel: "no acknowledgement within {ms} ms (attempts: {tries})",
  /** Text alternative of the round-trip chart; `{count}`, `{median}`, `{p95}` and `{max}` are replaced. Empty: `RTT_CHART_LABEL`, loaded with the chart. */
  rttChartLabel: "",
  /** JSON replacing diagnoses' words, by code: `{"unreachable": ["message", "hint"], ...}` (see `DIAGNOSES`). */
  diagnosisLabels: "",
  /** JSON replacing the composer's words, by name: `{"event": "...", ...}` (see `COMPOSER_LABELS`). */
  composerLabels: "",
};

export type LabelName = keyof typeof LABELS;

/** The element's label properties: one string each. */
export type Labels = { [K in LabelName]: string };

/** Lit's declaration of each label: a string property with its kebab-case attribute. */
export const labelProperties = Object.fromEntries(
  Object.keys(LABELS).map((name) => [name, { attribute: name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`) }]),
) as { [K in LabelName]: { attribute: string } };
