// What a reconnect may make the server replay: only offsets issued to that session, bounded in bytes
// and in restores a minute. Real server, raw WebSocket clients presenting the pid and offset socket.io-client would.
import { afterEach, describe, expect, it } from "vitest";
import { RESTORES_PER_MINUTE } from "../../server/recovery/recovery-adapter.js";
import { visit as visitPort, type Recovery, type Visit } from "../support/recovery-client.js";
import { startServer, type TestServer } from "./helpers.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** One visit to `testServer` (see recovery-client.ts): connect, send `messages`, drop; the server keeps the session. */
const visit = (testServer: TestServer, auth?: Recovery, messages = 0): Promise<Visit> => visitPort(Number(new URL(testServer.url).port), auth, messages);

describe("connection state recovery limits", () => {
  it("restores with an offset the session was given, and starts afresh with a forged one", async () => {
    server = await startServer();
    const first = await visit(server, undefined, 3);
    const prefix = first.offsets[0]!.replace(/[0-9a-z]+$/, "").slice(0, 8);
    // `<prefix>-1` used to mean "everything kept": now only a real offset of this session restores it.
    for (const forged of [`${prefix}-1`, `${prefix}0`, `${prefix}zzzzzz`, `${prefix}1e9`, "nonsense"]) {
      const fresh = await visit(server, { pid: first.pid, offset: forged });
      expect(fresh.sid, forged).not.toBe(first.sid);
    }
  });

  it("does not restore a session with an offset another session was given", async () => {
    server = await startServer();
    const victim = await visit(server, undefined, 2);
    const attacker = await visit(server, undefined, 2);
    const attempt = await visit(server, { pid: attacker.pid, offset: victim.offsets[0]! });
    expect(attempt.sid).not.toBe(attacker.sid);
    const honest = await visit(server, { pid: victim.pid, offset: victim.offsets[0]! });
    expect(honest.sid).toBe(victim.sid);
  });

  it("replays each missed echo once: a second restore from the same old offset starts afresh", async () => {
    server = await startServer();
    const first = await visit(server, undefined, 5);
    const again = await visit(server, { pid: first.pid, offset: first.offsets[0]! });
    expect([again.sid, again.replayed]).toEqual([first.sid, 4]);
    const replay = await visit(server, { pid: first.pid, offset: first.offsets[0]! });
    expect([replay.sid === first.sid, replay.replayed]).toEqual([false, 0]);
  });

  it(`restores one session at most ${RESTORES_PER_MINUTE} times a minute`, async () => {
    server = await startServer();
    let session = await visit(server, undefined, 1);
    const { sid, pid } = session;
    const sids: string[] = [];
    for (let i = 0; i <= RESTORES_PER_MINUTE; i++) {
      // An honest client: the newest offset it holds, after one more echo each time.
      session = await visit(server, { pid, offset: session.offsets.at(-1)! }, 1);
      sids.push(session.sid);
    }
    expect(sids.slice(0, RESTORES_PER_MINUTE).every((restored) => restored === sid)).toBe(true);
    expect(sids[RESTORES_PER_MINUTE]).not.toBe(sid);
  });

  it("starts afresh rather than replay more than maxBufferedBytes", async () => {
    server = await startServer({ maxBufferedBytes: 20_000 });
    const first = await visit(server, undefined, 1);
    for (let i = 0; i < 40; i++) server.handle.io.to(first.sid).emit("echo", "x".repeat(1000)); // ~80 KB kept for it
    const attempt = await visit(server, { pid: first.pid, offset: first.offsets[0]! });
    expect(attempt.sid).not.toBe(first.sid);
    expect(attempt.replayed).toBe(0);
  });
});
