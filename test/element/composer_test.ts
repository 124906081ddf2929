// <echo-socket composer>: any event, text or JSON or file arguments, several of them, an acknowledgement
// asked for or not, and each entry's exact arguments and reply, as text. Loaded on demand.
import { expect, oneEvent } from "@open-wc/testing";
import type { EchoSocketElement } from "../../element/echo-socket.js";
import { connectedElement, entries, part, until, useServer } from "./helpers.js";

const $ = <T extends Element = HTMLElement>(element: EchoSocketElement, selector: string): T => element.shadowRoot!.querySelector<T>(selector)!;

/** Sets a composer control's value as typing would. */
function type(element: EchoSocketElement, selector: string, value: string): void {
  const control = $<HTMLInputElement | HTMLTextAreaElement>(element, selector);
  control.value = value;
  control.dispatchEvent(new Event("input", { bubbles: true }));
}

async function choose(element: EchoSocketElement, argument: number, kind: "text" | "json" | "file"): Promise<void> {
  const select = $<HTMLSelectElement>(element, `#kind${argument}`);
  select.value = kind;
  select.dispatchEvent(new Event("change"));
  await element.updateComplete;
}

async function composer(url: string, attributes = ""): Promise<EchoSocketElement> {
  const element = await connectedElement(url, `composer ${attributes}`);
  await until(() => element.shadowRoot!.querySelector('[part~="composer"]') !== null, 5000, "the composer");
  await element.updateComplete;
  return element;
}

const submit = (element: EchoSocketElement): void => part(element, "send").click();

describe("the composer", () => {
  const server = useServer();

  it("replaces the simple box only when asked, with every control labelled", async () => {
    const plain = await connectedElement(server.url);
    expect(plain.shadowRoot!.querySelector('[part~="composer"]')).to.equal(null);
    const element = await composer(server.url);
    expect(part(element, "form")).to.equal(null);
    for (const control of element.shadowRoot!.querySelectorAll("input:not([type=checkbox]), select, textarea")) {
      expect(element.shadowRoot!.querySelector(`label[for="${control.id}"]`), control.outerHTML).not.to.equal(null);
    }
    expect($<HTMLInputElement>(element, "#event").value).to.equal("ms");
  });

  it("sends JSON as JSON, several arguments, and shows what went and came back as text", async () => {
    const element = await composer(server.url);
    await choose(element, 1, "json");
    type(element, "#value1", '{"json": true, "html": "<b>not bold</b>"}');
    $<HTMLButtonElement>(element, '[part~="composer"] .actions button[type="button"]').click(); // Add argument
    await element.updateComplete;
    type(element, "#value2", "second");
    const echoed = oneEvent(element, "echo-socket-echo");
    submit(element);
    const { detail } = await echoed;
    expect(detail.data).to.deep.equal({ json: true, html: "<b>not bold</b>" });
    expect(detail.args).to.deep.equal([{ json: true, html: "<b>not bold</b>" }, "second"]);
    // The acknowledgement comes after the echo, and is shown when it does.
    await until(
      () => element.shadowRoot!.querySelector('[part~="details"] pre')?.textContent?.includes("acknowledgement") ?? false,
      5000,
      "the acknowledgement",
    );
    const details = $<HTMLDetailsElement>(element, '[part~="details"]');
    details.querySelector("summary")!.click();
    expect(details.open).to.equal(true);
    const text = details.querySelector("pre")!.textContent!;
    expect(text).to.contain('sent: [\n  {\n    "json": true,\n    "html": "<b>not bold</b>"\n  },\n  "second"\n]');
    expect(text).to.contain("received: [");
    expect(text).to.match(/acknowledgement: \{\n {2}"ok": true,\n {2}"id": "/);
    expect(details.querySelector("b")).to.equal(null); // text, never HTML
  });

  it("refuses invalid JSON inline and sends nothing", async () => {
    const element = await composer(server.url);
    let sent = 0;
    element.addEventListener("echo-socket-send", () => sent++);
    await choose(element, 1, "json");
    type(element, "#value1", "{not json");
    submit(element);
    await element.updateComplete;
    const error = $(element, "#error1");
    expect(error.textContent).to.match(/^Invalid JSON: .+\. Nothing was sent\.$/);
    expect($(element, "#value1").getAttribute("aria-invalid")).to.equal("true");
    expect($(element, "#value1").getAttribute("aria-describedby")).to.equal("error1");
    expect(sent).to.equal(0);
    expect(entries(element)).to.deep.equal([]);
  });

  it("sends a file's bytes", async () => {
    const element = await composer(server.url);
    await choose(element, 1, "file");
    const input = $<HTMLInputElement>(element, "#value1");
    const files = new DataTransfer();
    files.items.add(new File([new Uint8Array([1, 2, 3, 250])], "bytes.bin"));
    input.files = files.files;
    input.dispatchEvent(new Event("change"));
    const echoed = oneEvent(element, "echo-socket-echo");
    submit(element);
    const { detail } = await echoed;
    expect(Array.from(new Uint8Array(detail.data as ArrayBuffer))).to.deep.equal([1, 2, 3, 250]);
    await element.updateComplete;
    expect(entries(element)[0]!.text).to.equal("[4 bytes]");
  });

  it("emits another event, asking for an acknowledgement, and shows the reply (here its timeout)", async () => {
    const element = await composer(server.url, 'ack-timeout="300"');
    type(element, "#event", "other");
    type(element, "#value1", "anyone?");
    submit(element);
    await until(() => element.shadowRoot!.querySelector('[part~="details"] pre')?.textContent?.includes("acknowledgement") ?? false, 5000, "the reply");
    expect($(element, '[part~="details"] pre').textContent).to.equal('sent: [\n  "anyone?"\n]\nacknowledgement: "operation has timed out"');
    expect(entries(element)).to.deep.equal([{ text: "anyone?", state: "sent" }]);
  });
});
