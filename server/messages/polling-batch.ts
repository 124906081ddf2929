/** engine.io's connection as `writeTogether` uses it: its queue of packets, and `packetCreate` for who counts it. */
export interface BatchConnection {
  readonly readyState: string;
  readonly writeBuffer: unknown;
  emit(event: "packetCreate", packet: unknown): unknown;
  write(data: string): unknown;
}

/**
 * Writes `packets` so that engine.io sends them in one long-polling response: all but the last
 * queued as its `sendPacket` queues them (announced with `packetCreate`), the last through `write`,
 * whose flush sends the queue. Packet by packet when the queue is not the array it was written against.
 */
export function writeTogether(conn: BatchConnection, packets: string[]): void {
  const queue = conn.writeBuffer;
  if (conn.readyState !== "open" || !Array.isArray(queue)) {
    for (const packet of packets) conn.write(packet);
    return;
  }
  for (let i = 0; i < packets.length - 1; i++) {
    const packet = { type: "message", options: { compress: true }, data: packets[i] };
    conn.emit("packetCreate", packet);
    queue.push(packet);
  }
  conn.write(packets[packets.length - 1]!);
}
