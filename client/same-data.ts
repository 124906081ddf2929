/** Whether an echo carries the same value as what was sent (binary compared byte by byte). */
export function sameData(sent: unknown, echoed: unknown): boolean {
  if (Object.is(sent, echoed)) return true;
  const a = bytesOf(sent);
  const b = bytesOf(echoed);
  if (a || b) return !!a && !!b && a.length === b.length && a.every((byte, i) => byte === b[i]);
  if (typeof sent !== "object" || typeof echoed !== "object" || sent === null || echoed === null) return false;
  return canonical(sent) === canonical(echoed);
}

function bytesOf(value: unknown): Uint8Array | undefined {
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  return undefined;
}

/** JSON with object keys sorted, so key order does not count as a difference. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)))
      : v,
  );
}
