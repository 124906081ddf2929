// The element's own attributes kept to the client's limits, and what it says when send() fails.
import { executeServerCommand } from "@web/test-runner-commands";
import { expect } from "@open-wc/testing";
import { EchoClientCore } from "../../client/client-core.js";
import { EchoClientError } from "../../client/errors.js";
import { connectedElement, entries, useServer } from "./helpers.js";

interface HostileServer {
  id: number;
  url: string;
}

const startSilent = async () => (await executeServerCommand("start-hostile-server", { kind: "silent" })) as HostileServer;
const stopSilent = async (server: HostileServer) => (await executeServerCommand("stop-hostile-server", { id: server.id })) as { sends: number };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("ack-timeout and retries, clamped to the client's limits", () => {
  it("ack-timeout past 2^31 - 1 ms waits (the longest timer) instead of timing out at once", async () => {
    const server = await startSilent();
    try {
      const element = await connectedElement(server.url, 'ack-timeout="3000000000" retries="0"');
      element.send("patient");
      await sleep(1000);
      await element.updateComplete;
      expect(entries(element)).to.deep.equal([{ text: "patient", state: "sent" }]);
    } finally {
      expect((await stopSilent(server)).sends).to.equal(1);
    }
  });

  it("a huge retries re-sends at most 100 times, then the message fails", async function () {
    this.timeout(20_000);
    const server = await startSilent();
    try {
      const element = await connectedElement(server.url, 'ack-timeout="1" retries="1000000"');
      element.send("given up");
      const started = performance.now();
      while (entries(element)[0]?.state !== "failed") {
        if (performance.now() - started > 10_000) throw new Error("still re-sending after 10 s");
        await sleep(50);
      }
    } finally {
      expect((await stopSilent(server)).sends).to.equal(101); // the first transmission and 100 re-sends
    }
  });
});

describe("send() failing", () => {
  const server = useServer();

  it("says the queue is full only when it is: another error (closed) is thrown, with no notice", async () => {
    const element = await connectedElement(server.url);
    const send = EchoClientCore.prototype.send;
    EchoClientCore.prototype.send = () => {
      throw new EchoClientError("closed", "echo-socket: closed");
    };
    try {
      expect(() => element.send("after close")).to.throw(EchoClientError, "closed");
    } finally {
      EchoClientCore.prototype.send = send;
    }
    await element.updateComplete;
    expect(element.shadowRoot!.querySelector('[part~="notice"]')).to.equal(null);
  });
});
