import { css } from "lit";

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
  button {
    font: inherit;
    border-radius: var(--_radius);
    padding: calc(var(--_gap) * 0.75) var(--_gap);
  }
  input {
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
    opacity: 0.75;
  }
  [part~="notice"] {
    margin: var(--_gap) 0 0;
    color: var(--_warn);
  }
  [part~="retry"] {
    padding: 0 var(--_gap);
    font-size: 0.8em;
  }
  .text {
    flex: 1;
  }
  .state {
    flex: none;
    color: var(--_muted);
    font-size: 0.8em;
  }
  [part~="status"] {
    margin: var(--_gap) 0 0;
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
  [part~="status"][data-status="disconnected"]::before {
    background: #cf222e;
  }
`;
