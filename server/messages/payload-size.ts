import type { PayloadRefusalCode } from "../../protocol/index.js";

/** What `measurePayload` found wrong. */
export type PayloadProblem = PayloadRefusalCode;

/** What a message that passed measured: its bytes, and how many values it holds (the work it makes). */
export interface PayloadSize {
  bytes: number;
  values: number;
}

/**
 * What a binary value costs beyond its bytes: socket.io sends each as a frame of its own, and a
 * crafted packet can name one attachment thousands of times (each then a frame of the echo).
 */
export const BINARY_VALUE_BYTES = 1024;

/**
 * What the connection guard hands socket.io in place of binary attachments past the size limit
 * (socket.io-parser puts the very object into the decoded arguments): a message carrying it is
 * refused as too large, without the bytes ever being kept.
 */
export const OVERSIZE_ATTACHMENT: Buffer = Buffer.alloc(0);

/**
 * Walks a decoded message without recursion and stops as soon as it is over `maxBytes` or nested
 * deeper than `maxDepth`; otherwise returns what it measured. Every value costs at least its JSON text, as the client sent it: strings
 * their UTF-8 bytes and quotes, numbers their digits, containers their brackets and separators, keys
 * their quotes and colon; binary costs its bytes plus `BINARY_VALUE_BYTES`. (Escapes make the text longer still: the guard
 * measures the packet's text before decoding, so this is the floor, not the whole bill.)
 * The depth bound matters beyond memory: socket.io's encoder walks payloads recursively, so an
 * echo of a very deep payload would overflow the stack inside `emit`.
 */
export function measurePayload(args: readonly unknown[], maxBytes: number, maxDepth: number): PayloadProblem | PayloadSize {
  let bytes = Math.max(0, args.length - 1); // the commas between arguments (their array's brackets are the envelope's)
  const values: unknown[] = [...args];
  const depths: number[] = args.map(() => 1);
  let count = 0;
  while (values.length > 0) {
    count++;
    const value = values.pop();
    const depth = depths.pop()!;
    if (typeof value === "string") bytes += Buffer.byteLength(value) + 2;
    else if (typeof value === "number") bytes += numberLength(value);
    else if (typeof value === "boolean") bytes += value ? 4 : 5;
    else if (isBinary(value)) {
      if (value === OVERSIZE_ATTACHMENT) return "message_too_large";
      bytes += value.byteLength + BINARY_VALUE_BYTES;
    } else if (typeof value === "object" && value !== null) {
      if (depth > maxDepth) return "payload_too_deep";
      if (Array.isArray(value)) {
        bytes += Math.max(2, value.length + 1); // brackets and commas, charged before looking inside: a huge array stops here
        if (bytes > maxBytes) return "message_too_large";
        for (const item of value) {
          values.push(item);
          depths.push(depth + 1);
        }
      } else {
        let keys = 0;
        for (const key in value) {
          bytes += Buffer.byteLength(key) + 4; // quotes, colon, comma
          if (bytes > maxBytes) return "message_too_large";
          values.push((value as Record<string, unknown>)[key]);
          depths.push(depth + 1);
          keys++;
        }
        bytes += keys === 0 ? 2 : 1; // braces, less the last key's comma
      }
    } else bytes += 4; // null (and anything JSON writes as null)
    if (bytes > maxBytes) return "message_too_large";
  }
  return { bytes, values: count };
}

/** Characters JSON needs for `value`, at least (the shortest form of an integer; 3 for a fraction). */
function numberLength(value: number): number {
  if (!Number.isFinite(value)) return 4; // written as null
  const sign = value < 0 ? 1 : 0;
  const magnitude = Math.abs(value);
  if (!Number.isInteger(value)) return sign + 3;
  return sign + (magnitude < 10 ? 1 : magnitude < 1e21 ? Math.floor(Math.log10(magnitude)) + 1 : 5);
}

/**
 * Roughly what a decoded value holds in V8's heap, on the high side: every string, number, array
 * slot and object property has a header and a pointer, so `[{},{},…]` costs far more than its text.
 * Used to bound memory that keeps decoded payloads (the recovery ring).
 */
export function heapBytes(args: readonly unknown[]): number {
  let bytes = 16 + 8 * args.length;
  const values: unknown[] = [...args];
  let _count = 0;
  while (values.length > 0) {
    _count++;
    const value = values.pop();
    if (typeof value === "string") bytes += 16 + 2 * value.length;
    else if (isBinary(value)) bytes += 96 + value.byteLength;
    else if (Array.isArray(value)) {
      bytes += 32 + 8 * value.length;
      for (const item of value) values.push(item);
    } else if (typeof value === "object" && value !== null) {
      bytes += 56;
      for (const key in value) {
        bytes += 32 + 2 * key.length; // the property, its key string
        values.push((value as Record<string, unknown>)[key]);
      }
    } else bytes += 16; // a heap number at most
  }
  return bytes;
}

function isBinary(value: unknown): value is ArrayBuffer | ArrayBufferView {
  return value instanceof ArrayBuffer || ArrayBuffer.isView(value);
}

/** Bytes of a binary value (an engine.io binary frame, an attachment); 0 for anything else. */
export function binaryLength(value: unknown): number {
  return isBinary(value) ? value.byteLength : 0;
}
