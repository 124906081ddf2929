import { css } from "lit";

// The status dot tells the states apart by shape as well as colour: filled when connected, a ring
// while (re)connecting, a square when disconnected.
export const styles = css`
  :host {
    --_bg: var(--echo-socket-background, #ffffff);
    --_fg: var(--echo-socket-color, #1b1f24);
    --_muted: var(--echo-socket-muted-color, #57606a);
    --_border: var(--echo-socket-border-color, #d0d7de);
    --_accent: var(--echo-socket-accent-color, #0b5cd5);
    --_accent-fg: var(--echo-socket-accent-text-color, #ffffff);
    --_entry-bg: var(--echo-socket-entry-background, #f6f8fa);
    --_focus: var(--echo-socket-focus-color, #0b5cd5);
    --_warn: var(--echo-socket-warning-color, #9a6700);
    --_gap: var(--echo-socket-spacing, 0.5rem);
    --_radius: var(--echo-socket-radius, 6px);

    display: block;
    box-sizing: border-box;
    color-scheme: light dark;
    font: var(--echo-socket-font, 1rem/1.4 system-ui, sans-serif);
    color: var(--_fg);
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: var(--_gap);
  }
  @media (prefers-color-scheme: dark) {
    :host {
      --_bg: var(--echo-socket-background, #0d1117);
      --_fg: var(--echo-socket-color, #e6edf3);
      --_muted: var(--echo-socket-muted-color, #9198a1);
      --_border: var(--echo-socket-border-color, #3d444d);
      --_accent: var(--echo-socket-accent-color, #4493f8);
      --_accent-fg: var(--echo-socket-accent-text-color, #0d1117);
      --_entry-bg: var(--echo-socket-entry-background, #161b22);
      --_focus: var(--echo-socket-focus-color, #4493f8);
      --_warn: var(--echo-socket-warning-color, #d29922);
    }
  }
  :host([hidden]) {
    display: none;
  }
  *,
  *::before,
  *::after {
    box-sizing: inherit;
  }
  form {
    display: flex;
    gap: var(--_gap);
    align-items: center;
  }
  label {
    color: var(--_muted);
    font-size: 0.875em;
  }
  input,
  button,
  select,
  textarea {
    font: inherit;
    border-radius: var(--_radius);
    padding: calc(var(--_gap) * 0.75) var(--_gap);
    min-height: 24px;
  }
  input,
  select,
  textarea {
    flex: 1;
    min-width: 0;
    color: var(--_fg);
    background: var(--_bg);
    border: 1px solid var(--_border);
  }
  button {
    color: var(--_accent-fg);
    background: var(--_accent);
    border: 1px solid var(--_accent);
    cursor: pointer;
  }
  input:focus-visible,
  button:focus-visible,
  select:focus-visible,
  textarea:focus-visible,
  summary:focus-visible,
  [part~="output"]:focus-visible {
    outline: 2px solid var(--_focus);
    outline-offset: 2px;
  }
  [part~="output"] {
    list-style: none;
    margin: var(--_gap) 0 0;
    padding: 0;
    height: var(--echo-socket-output-height, 16rem);
    overflow-y: auto;
    display: flex;
    flex-direction: column;
    gap: calc(var(--_gap) / 2);
  }
  [part~="message"] {
    display: flex;
    flex-wrap: wrap;
    align-items: baseline;
    gap: var(--_gap);
    justify-content: space-between;
    padding: calc(var(--_gap) / 2) var(--_gap);
    background: var(--_entry-bg);
    border-radius: var(--_radius);
    overflow-wrap: anywhere;
    white-space: pre-wrap;
  }
  [part~="message"][data-state="received"] {
    border-left: 3px solid var(--_accent);
  }
  [part~="message"][data-state="failed"],
  [part~="message"][data-mismatch] {
    border-left: 3px solid var(--_warn);
  }
  [part~="message"][data-state="queued"],
  [part~="message"][data-state="sent"] {
    border-left: 3px dashed var(--_border);
  }
  [part~="notice"],
  [part~="diagnosis"] {
    margin: var(--_gap) 0 0;
    color: var(--_warn);
  }
  [part~="retry"],
  [part~="clear"],
  [part~="composer"] [type="button"] {
    padding: 0 var(--_gap);
    font-size: 0.8em;
    color: var(--_fg);
    background: var(--_bg);
    border-color: var(--_border);
  }
  [part~="output"]:empty::before {
    content: attr(data-empty);
    margin: auto;
    color: var(--_muted);
  }
  [part~="diagnosis"] {
    padding-inline-start: var(--_gap);
    border-left: 3px solid;
    overflow-wrap: anywhere;
  }
  .foot {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_gap);
    margin-top: var(--_gap);
  }


  .text {
    flex: 1;
  }
  .time,
  .state {
    flex: none;
    color: var(--_muted);
    font-size: 0.8em;
  }
  [part~="status"] {
    flex: 1;
    margin: 0;
    color: var(--_muted);
    font-size: 0.875em;
  }
  [part~="status"]::before {
    content: "";
    display: inline-block;
    width: 0.6em;
    height: 0.6em;
    margin-inline-end: 0.4em;
    border-radius: 50%;
    background: currentColor;
  }
  [part~="status"][data-status="connected"]::before {
    background: #1a7f37;
  }
  [part~="status"][data-status$="connecting"]::before {
    background: none;
    border: 2px solid #bf8700;
  }
  [part~="status"][data-status="disconnected"]::before {
    background: #cf222e;
    border-radius: 0;
  }
`;
