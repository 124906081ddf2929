import { expect } from "@open-wc/testing";
import { connectedElement, entries, part, until, useServer } from "./helpers.js";

describe("max-messages and scrolling", () => {
  const server = useServer();

  it("keeps only the newest max-messages entries in the DOM", async () => {
    const element = await connectedElement(server.url, 'max-messages="5"');
    let echoes = 0;
    element.addEventListener("echo-socket-echo", () => echoes++);
    for (let i = 1; i <= 12; i++) element.send(`message ${i}`);
    await until(() => echoes === 12, 5000, "12 echoes");
    await element.updateComplete;
    expect(element.shadowRoot!.querySelectorAll('[part~="message"]').length).to.equal(5);
    expect(entries(element).map((entry) => entry.text)).to.deep.equal([8, 9, 10, 11, 12].map((i) => `message ${i}`));
    expect(entries(element).every((entry) => entry.state === "echoed")).to.equal(true);
  });

  it("defaults max-messages to 500 and trims when it is lowered", async () => {
    const element = await connectedElement(server.url);
    expect(element.maxMessages).to.equal(500);
    let echoes = 0;
    element.addEventListener("echo-socket-echo", () => echoes++);
    for (let i = 1; i <= 20; i++) element.send(i);
    await until(() => echoes === 20, 5000, "20 echoes");
    element.maxMessages = 3;
    await element.updateComplete;
    expect(entries(element).map((entry) => entry.text)).to.deep.equal(["18", "19", "20"]);
  });

  it("sticks to the bottom, unless the reader has scrolled up", async () => {
    const element = await connectedElement(server.url);
    element.style.setProperty("--echo-socket-output-height", "6rem");
    const output = part(element, "output");
    const atBottom = (): boolean => output.scrollHeight - output.scrollTop - output.clientHeight < 8;
    let echoes = 0;
    element.addEventListener("echo-socket-echo", () => echoes++);
    for (let i = 1; i <= 30; i++) element.send(`line ${i}`);
    await until(() => echoes === 30, 5000, "30 echoes");
    await element.updateComplete;
    expect(output.scrollHeight).to.be.greaterThan(output.clientHeight);
    expect(atBottom()).to.equal(true);

    output.scrollTop = 0;
    output.dispatchEvent(new Event("scroll"));
    for (let i = 31; i <= 35; i++) element.send(`line ${i}`);
    await until(() => echoes === 35, 5000, "35 echoes");
    await element.updateComplete;
    expect(output.scrollTop).to.equal(0);

    output.scrollTop = output.scrollHeight;
    output.dispatchEvent(new Event("scroll"));
    element.send("line 36");
    await until(() => echoes === 36, 5000, "36 echoes");
    await element.updateComplete;
    expect(atBottom()).to.equal(true);
  });
});
