// What `<echo-socket composer>` adds, loaded on demand (the standalone bundle fetches it as
// `echo-socket-extras.js` from beside itself): the composer form and each entry's details. It uses the
// element's copy of Lit (`html` is passed in), so it carries none of its own.
import type { TemplateResult, html as litHtml } from "lit";
import { cap } from "../client/cap.js";
import type { MessageEntry } from "../client/message-log.js";
import type { RttSummary } from "../client/rtt-stats.js";
import type { Diagnosis } from "../client/diagnosis.js";

type Html = typeof litHtml;

/** The composer's words, by name; the element's `composer-labels` (JSON) replaces any of them. */
export const COMPOSER_LABELS = {
  event: "Event",
  argument: "Argument {n}",
  type: "Type",
  value: "Value",
  text: "Text",
  json: "JSON",
  file: "File",
  add: "Add argument",
  remove: "Remove argument {n}",
  ack: "Ask for acknowledgement",
  send: "Send",
  invalidJson: "Invalid JSON: {error}. Nothing was sent.",
  noFile: "Choose a file. Nothing was sent.",
  notSent: "Not connected: nothing was sent.",
  details: "Arguments and reply",
  sent: "sent",
  received: "received",
  reply: "acknowledgement",
};

type ComposerLabels = typeof COMPOSER_LABELS;

/** The element's `rtt-chart-label` when empty (its default): the chart and its words come with these extras. */
export const RTT_CHART_LABEL = "Round trips of the last {count} echoes: median {median} ms, p95 {p95} ms, max {max} ms";

/** What the composer needs of the element. */
export interface ComposerHost {
  sendEvent: string;
  composerLabels: string;
  send(data: unknown, ...args: unknown[]): boolean;
  composerEmit(entry: MessageEntry, event: string, args: unknown[], onAck?: (error: Error | null, ...reply: unknown[]) => void): boolean;
  requestUpdate(): void;
}

interface Argument {
  kind: "text" | "json" | "file";
  value: string;
  /** A chosen file's bytes, being read. */
  bytes?: Promise<ArrayBuffer>;
  error?: string;
}

/** The composer's words: the defaults, with the page's own from `composer-labels` over them. */
export function composerLabels(host: ComposerHost): ComposerLabels {
  try {
    return { ...COMPOSER_LABELS, ...JSON.parse(host.composerLabels || "{}") };
  } catch {
    return COMPOSER_LABELS;
  }
}

/**
 * The playground form: an event name, arguments (text, JSON or a file's bytes), "ask for
 * acknowledgement", and Send. Every control is labelled; an invalid argument is said next to it
 * (`aria-invalid`, `aria-describedby`) and nothing is sent.
 */
export class Composer {
  #event: string | undefined;
  #args: Argument[] = [{ kind: "text", value: "" }];
  #ack = true;
  #error = "";

  constructor(readonly host: ComposerHost) {}

  render(html: Html): TemplateResult {
    const labels = composerLabels(this.host);
    const update = (): void => this.host.requestUpdate();
    const event = this.#event ?? this.host.sendEvent;
    return html`<form part="composer" @submit=${(e: Event) => this.#submit(e, labels)}>
      <label for="event">${labels.event}</label>
      <input id="event" part="event" autocomplete="off" .value=${event} @input=${(e: Event) => (this.#event = (e.target as HTMLInputElement).value)} />
      ${this.#args.map((arg, i) => {
        const n = String(i + 1);
        return html`<fieldset part="argument">
          <legend>${labels.argument.replace("{n}", n)}</legend>
          <label for="kind${n}">${labels.type}</label>
          <select id="kind${n}" @change=${(e: Event) => {
            arg.kind = (e.target as HTMLSelectElement).value as Argument["kind"];
            arg.error = undefined;
            update();
          }}>
            ${(["text", "json", "file"] as const).map((kind) => html`<option value=${kind} ?selected=${arg.kind === kind}>${labels[kind]}</option>`)}
          </select>
          <label for="value${n}">${arg.kind === "file" ? labels.file : labels.value}</label>
          ${
            arg.kind === "file"
              ? html`<input id="value${n}" type="file" aria-describedby="error${n}" @change=${(e: Event) => {
                  arg.bytes = (e.target as HTMLInputElement).files?.[0]?.arrayBuffer();
                  arg.error = undefined;
                  update();
                }} />`
              : html`<textarea id="value${n}" rows="1" aria-invalid=${arg.error ? "true" : "false"} aria-describedby="error${n}" .value=${arg.value}
                @input=${(e: Event) => (arg.value = (e.target as HTMLTextAreaElement).value)}></textarea>`
          }
          <button type="button" @click=${() => {
            this.#args.splice(i, 1);
            update();
          }}>${labels.remove.replace("{n}", n)}</button>
          <p id="error${n}" part="composer-error">${arg.error ?? ""}</p>
        </fieldset>`;
      })}
      <div class="actions">
        <button type="button" @click=${() => {
          this.#args.push({ kind: "text", value: "" });
          update();
        }}>${labels.add}</button>
        <label><input type="checkbox" part="ack" .checked=${this.#ack} @change=${(e: Event) => (this.#ack = (e.target as HTMLInputElement).checked)} /> ${labels.ack}</label>
        <button part="send" type="submit">${labels.send}</button>
      </div>
      <p part="composer-error" role="alert">${this.#error}</p>
    </form>`;
  }

  /** Emits outside delivery; the entry shows the acknowledgement (or its timeout) once it comes. */
  #emit(event: string, args: unknown[]): boolean {
    const entry: MessageEntry = { id: 0, messageId: "", state: "sent", data: args[0], args: args.slice(1), attempts: 1 };
    return this.host.composerEmit(
      entry,
      event,
      args,
      this.#ack
        ? (error, ...reply) => {
            entry.reply = error ? error.message : reply.length > 1 ? reply : reply[0];
            this.host.requestUpdate();
          }
        : undefined,
    );
  }

  /** Reads every argument (stopping at the first invalid one: nothing is sent), then sends. */
  async #submit(event: Event, labels: ComposerLabels): Promise<void> {
    event.preventDefault();
    const values: unknown[] = [];
    let invalid = false;
    for (const arg of this.#args) {
      arg.error = undefined;
      if (arg.kind === "json") {
        try {
          values.push(JSON.parse(arg.value));
        } catch (error) {
          arg.error = labels.invalidJson.replace("{error}", (error as Error).message);
        }
      } else if (arg.kind === "file") {
        if (arg.bytes) values.push(await arg.bytes);
        else arg.error = labels.noFile;
      } else values.push(arg.value);
      invalid ||= !!arg.error;
    }
    const name = this.#event ?? this.host.sendEvent;
    // The send event with an acknowledgement goes through delivery (ids, re-sends, the echo matched);
    // anything else is emitted as it is.
    const sent = invalid || (name === this.host.sendEvent && this.#ack ? this.host.send(values[0], ...values.slice(1)) : this.#emit(name, values));
    this.#error = sent ? "" : labels.notSent;
    this.host.requestUpdate();
  }
}

/** A diagnosis's message and hint in a page's own words: `diagnosis-labels`, `{"code": ["message", "hint"]}`. */
export function ownWords(labels: string, { code, message, hint }: Diagnosis): readonly string[] {
  try {
    const own = JSON.parse(labels || "{}")[code];
    if (Array.isArray(own)) return [own[0] ?? message, own[1] ?? hint];
  } catch {
    // a page's malformed JSON: the English stays
  }
  return [message, hint];
}

/** `value` as indented JSON text (bytes as their length), for reading, cut at 10,000 characters as `formatPayload` is; rendered as text, never HTML. */
export function pretty(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value, (_key, v) => (v instanceof ArrayBuffer || ArrayBuffer.isView(v) ? `[${v.byteLength} bytes]` : v), 2) ?? String(value);
  } catch {
    text = String(value);
  }
  return cap(text, 10_000);
}

/** An entry's details, expandable: the exact arguments sent and received, and the acknowledgement. */
export function details(html: Html, entry: MessageEntry, received: unknown[] | undefined, host: ComposerHost): TemplateResult {
  const labels = composerLabels(host);
  const lines = entry.state === "received" ? [] : [`${labels.sent}: ${pretty([entry.data, ...(entry.args ?? [])])}`];
  if (received) lines.push(`${labels.received}: ${pretty(received)}`);
  if (entry.reply !== undefined) lines.push(`${labels.reply}: ${pretty(entry.reply)}`);
  return html`<details part="details"><summary>${labels.details}</summary><pre>${lines.join("\n")}</pre></details>`;
}

/**
 * The latest round trips (`times`, oldest first) as a sparkline, the median (solid) and p95 (dashed)
 * marked; `label` (the element's `rtt-chart-label`) says the same in words. Nothing under two samples.
 */
export function chart(html: Html, times: number[], rtt: RttSummary, label: string): TemplateResult | undefined {
  if (times.length < 2) return undefined;
  const top = Math.max(...times, rtt.p95!) || 1;
  const y = (ms: number): number => Math.round(23 - (ms / top) * 21);
  const line = (ms: number, name: string) => html`<line class=${name} x1="0" x2="120" y1=${y(ms)} y2=${y(ms)} />`;
  const words = (label || RTT_CHART_LABEL)
    .replace("{count}", String(times.length))
    .replace("{median}", String(Math.round(rtt.median!)))
    .replace("{p95}", String(Math.round(rtt.p95!)))
    .replace("{max}", String(Math.round(Math.max(...times))));
  return html`<svg part="chart" viewBox="0 0 120 24" role="img" aria-label=${words}>
    <title>${words}</title>
    ${line(rtt.median!, "median")}${line(rtt.p95!, "p95")}
    <polyline points=${times.map((ms, i) => `${Math.round((i * 120) / (times.length - 1))},${y(ms)}`).join(" ")} />
  </svg>`;
}

/** Adds the composer's and the chart's styles to an element's shadow root (once). */
export function adopt(root: ShadowRoot): void {
  if (!root.adoptedStyleSheets.includes(sheet)) root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
}

const styles = `
  [part~="chart"] { width: 120px; height: 24px; fill: none; stroke: var(--_accent); }
  [part~="chart"] line { stroke: var(--_muted); }
  [part~="chart"] .p95 { stroke-dasharray: 3 2; }
  [part~="composer"] { display: grid; gap: var(--_gap); }
  fieldset { display: flex; flex-wrap: wrap; align-items: center; gap: var(--_gap); margin: 0; border: 1px solid var(--_border); border-radius: var(--_radius); }
  textarea { flex: 1 1 12rem; }
  select { flex: none; }
  .actions { display: flex; flex-wrap: wrap; align-items: center; gap: var(--_gap); }
  [part~="composer-error"] { flex-basis: 100%; margin: 0; color: var(--_warn); }
  [part~="composer-error"]:empty { display: none; }
  details { flex-basis: 100%; font-size: 0.8em; }
  summary { padding: 4px 0; cursor: pointer; }
  [type="checkbox"] { width: 24px; height: 24px; margin: 0; vertical-align: middle; }
  pre { margin: 0; white-space: pre-wrap; }
`;

const sheet = new CSSStyleSheet();
sheet.replaceSync(styles);
