/** How a payload reads on screen. Always plain text: the element renders it as a text node. */
export function formatPayload(data: unknown): string {
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
