import { expect, oneEvent } from "@open-wc/testing";
import { sendKeys } from "@web/test-runner-commands";
import type { EchoSocketElement } from "../../element/echo-socket.js";
import { connectedElement, entries, part, sendAndWait, until, useServer } from "./helpers.js";

describe("<echo-socket>", () => {
  const server = useServer();

  it("shows the transport once connected, and renders its parts", async () => {
    const element = await connectedElement(server.url);
    expect(part(element, "status").textContent).to.match(/^Connected \((polling|websocket)\)$/);
    expect(part(element, "status").dataset.status).to.equal("connected");
    expect(part<HTMLInputElement>(element, "input").tagName).to.equal("INPUT");
    expect(part(element, "send").tagName).to.equal("BUTTON");
    expect(part(element, "output").getAttribute("role")).to.equal("log");
    expect(part(element, "output").getAttribute("aria-live")).to.equal("polite");
  });

  it("sends what is typed when the button is clicked, clears the input and keeps its focus", async () => {
    const element = await connectedElement(server.url);
    const input = part<HTMLInputElement>(element, "input");
    input.focus();
    await sendKeys({ type: "hello, echo" });
    const echoed = oneEvent(element, "echo-socket-echo");
    part(element, "send").click();
    await echoed;
    await element.updateComplete;
    expect(entries(element)).to.deep.equal([{ text: "hello, echo", state: "echoed" }]);
    expect(input.value).to.equal("");
    expect(element.shadowRoot!.activeElement).to.equal(input);
  });

  it("sends on Enter, and keeps Korean and emoji intact", async () => {
    const element = await connectedElement(server.url);
    part(element, "input").focus();
    await sendKeys({ type: "안녕하세요 👋" });
    const echoed = oneEvent(element, "echo-socket-echo");
    await sendKeys({ press: "Enter" });
    expect((await echoed).detail.data).to.equal("안녕하세요 👋");
    await element.updateComplete;
    expect(entries(element)).to.deep.equal([{ text: "안녕하세요 👋", state: "echoed" }]);
  });

  it("does not send an empty or blank input", async () => {
    const element = await connectedElement(server.url);
    let sent = 0;
    element.addEventListener("echo-socket-send", () => sent++);
    part(element, "input").focus();
    await sendKeys({ press: "Enter" });
    await sendKeys({ type: "   " });
    await sendKeys({ press: "Enter" });
    part(element, "send").click();
    // A message sent afterwards is the first and only entry.
    await sendAndWait(element, "after blanks");
    await element.updateComplete;
    expect(sent).to.equal(1);
    expect(entries(element)).to.deep.equal([{ text: "after blanks", state: "echoed" }]);
  });

  it("fires send, echo and status events that bubble out of shadow roots, with typed detail", async () => {
    const element = await connectedElement(server.url);
    const sent = oneEvent(document.body, "echo-socket-send");
    const echoed = oneEvent(document.body, "echo-socket-echo");
    element.send({ kind: "object", n: 1 });
    const sendEvent = await sent;
    expect(sendEvent.composed && sendEvent.bubbles).to.equal(true);
    expect(sendEvent.detail).to.deep.equal({ id: 1, data: { kind: "object", n: 1 } });
    const { rtt, ...echoDetail } = (await echoed).detail;
    expect(echoDetail).to.deep.equal({ id: 1, data: { kind: "object", n: 1 }, args: [{ kind: "object", n: 1 }] });
    expect(rtt).to.be.a("number").at.least(0); // no upper bound: a slow machine is not a failure

    const statuses: Array<{ status: string; transport: string | undefined }> = [];
    element.addEventListener("echo-socket-status", (event) => statuses.push(event.detail));
    element.url = `${server.url}/`; // another url: reconnects
    await until(() => statuses.at(-1)?.status === "connected", 5000, "reconnected");
    expect(statuses.slice(0, 2)).to.deep.equal([
      { status: "disconnected", transport: undefined },
      { status: "connecting", transport: undefined },
    ]);
    expect(statuses[2]!.status).to.equal("connected");
    expect(statuses[2]!.transport).to.be.oneOf(["polling", "websocket"]);
  });

  it("keeps two elements on one page apart", async () => {
    const first = await connectedElement(server.url);
    const second = await connectedElement(server.url);
    await sendAndWait(first, "for the first");
    await sendAndWait(second, "for the second");
    await Promise.all([first.updateComplete, second.updateComplete]);
    expect(entries(first)).to.deep.equal([{ text: "for the first", state: "echoed" }]);
    expect(entries(second)).to.deep.equal([{ text: "for the second", state: "echoed" }]);
  });

  it("clear() empties the list", async () => {
    const element = await connectedElement(server.url);
    await sendAndWait(element, "one");
    element.clear();
    await element.updateComplete;
    expect(entries(element)).to.deep.equal([]);
  });

  it("reads in another language through its label attributes", async () => {
    const element = await connectedElement(server.url, 'input-label="메시지" send-label="보내기" connected-label="연결됨" placeholder="메시지를 입력하세요"');
    expect(element.shadowRoot!.querySelector("label")!.textContent).to.equal("메시지");
    expect(part(element, "send").textContent).to.equal("보내기");
    expect(part(element, "status").textContent).to.match(/^연결됨 \(/);
    expect(part<HTMLInputElement>(element, "input").placeholder).to.equal("메시지를 입력하세요");
  });

  it("passes an accessibility audit, with messages in it", async () => {
    const element = await connectedElement(server.url);
    await sendAndWait(element, "accessible");
    await element.updateComplete;
    await expect(element).to.be.accessible();
  });

  it("disconnects when removed from the page", async () => {
    const element: EchoSocketElement = await connectedElement(server.url);
    element.remove();
    await until(() => element.connectionStatus === "disconnected", 5000, "disconnected");
  });
});
