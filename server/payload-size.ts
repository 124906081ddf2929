/** What `measurePayload` found wrong, if anything. */
export type PayloadProblem = "message_too_large" | "payload_too_deep" | undefined;

/**
 * Walks a decoded message without recursion and stops as soon as it is over `maxBytes` (counted as
 * UTF-8 for strings, exact for binary, 8 for other scalars) or nested deeper than `maxDepth`.
 * The depth bound matters beyond memory: socket.io's encoder walks payloads recursively, so an
 * echo of a very deep payload would overflow the stack inside `emit`.
 */
export function measurePayload(args: readonly unknown[], maxBytes: number, maxDepth: number): PayloadProblem {
  let bytes = 0;
  const stack: Array<[unknown, number]> = args.map((arg) => [arg, 1]);
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (typeof value === "string") bytes += Buffer.byteLength(value);
    else if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) bytes += value.byteLength;
    else if (typeof value === "object" && value !== null) {
      if (depth > maxDepth) return "payload_too_deep";
      if (Array.isArray(value)) for (const item of value) stack.push([item, depth + 1]);
      else {
        for (const key in value) {
          bytes += Buffer.byteLength(key);
          stack.push([(value as Record<string, unknown>)[key], depth + 1]);
        }
      }
    } else bytes += 8;
    if (bytes > maxBytes) return "message_too_large";
  }
  return undefined;
}
