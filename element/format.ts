import { cap } from "../client/cap.js";

/** Longest payload text shown (UTF-16 units): past it, cut with "…" (a megabyte echo 50 times a second must not stall the page). */
export const MAX_SHOWN_CHARS = 10_000;

/** How a payload reads on screen. Always plain text: the element renders it as a text node. */
export function formatPayload(data: unknown): string {
  return cap(text(data), MAX_SHOWN_CHARS);
}

function text(data: unknown): string {
  if (typeof data === "string") return data;
  if (data instanceof ArrayBuffer) return `[${data.byteLength} bytes]`;
  if (ArrayBuffer.isView(data)) return `[${data.byteLength} bytes]`;
  if (data === undefined) return "";
  try {
    return JSON.stringify(data) ?? String(data);
  } catch {
    return String(data);
  }
}
