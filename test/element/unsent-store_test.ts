import { expect } from "@open-wc/testing";
import { localStorageStorage, openLocal } from "../../client/storage/local-storage.js";
import { MAX_STORED_CHARS, parseStored } from "../../client/unsent-store.js";
import { until } from "./helpers.js";

const id = (i: number): string => `id-${i}`;

describe("restoring unsent messages from storage", () => {
  afterEach(() => localStorage.clear());

  it("restores the first max messages, in order, and counts the rest as dropped", () => {
    const stored = JSON.stringify(Array.from({ length: 20_000 }, (_, i) => ({ messageId: id(i), data: `stored ${i}` })));
    const { messages, dropped } = parseStored(stored, 100);
    expect(messages.map((message) => message.data)).to.deep.equal(Array.from({ length: 100 }, (_, i) => `stored ${i}`));
    expect(dropped).to.equal(19_900);
  });

  it("skips entries of the wrong shape and repeated ids, counting them as dropped", () => {
    const stored = JSON.stringify([
      null,
      7,
      "text",
      [],
      { data: "no id" },
      { messageId: 5, data: "id not a string" },
      { messageId: "has spaces", data: "not an id of ours" },
      { messageId: "x".repeat(65), data: "id too long" },
      { messageId: id(1) },
      { messageId: id(2), data: { nested: [1, 2] } },
      { messageId: id(2), data: "same id again" },
      { messageId: id(3), data: "ok", extra: true },
    ]);
    const { messages, dropped } = parseStored(stored, 100);
    expect(messages).to.deep.equal([
      { messageId: id(2), data: { nested: [1, 2] } },
      { messageId: id(3), data: "ok" },
    ]);
    expect(dropped).to.equal(10);
  });

  it("restores nothing, without throwing, from text that is not a list of messages", () => {
    for (const raw of ["{", "not json", '{"messageId":"a","data":1}', "42", "null", '"[]"', "\u0000"]) {
      expect(parseStored(raw, 100).messages, raw).to.deep.equal([]);
    }
    expect(parseStored(null, 100)).to.deep.equal({ messages: [], dropped: 0 });
    expect(parseStored("[]", 100)).to.deep.equal({ messages: [], dropped: 0 });
  });

  it("does not parse stored text longer than it would ever write", () => {
    const huge = `[${" ".repeat(MAX_STORED_CHARS)}]`;
    expect(parseStored(huge, 100)).to.deep.equal({ messages: [], dropped: 1 });
  });

  it("opening claims at most max other records, and leaves the rest for a later page", async () => {
    for (let i = 0; i < 30; i++) localStorage.setItem(`echo-socket:test:${String(i).padStart(22, "w")}`, `record ${i}`);
    const writers = () => Object.keys(localStorage).filter((name) => name.startsWith("echo-socket:test:")).length;
    const before = writers();
    const claimed: string[] = [];
    const writer = await localStorageStorage("echo-socket:test").open((texts) => claimed.push(...texts), 10);
    expect(claimed.length).to.equal(10);
    expect(writers()).to.equal(before - 10);
    await writer.close();
  });

  it("a claim that fails (the standalone element's extras did not load) leaves the records stored, and the writer saves beside them", async () => {
    const left = JSON.stringify([{ messageId: id(1), data: "left" }]);
    localStorage.setItem("echo-socket:test", left);
    const writer = await openLocal("echo-socket:test", () => Promise.reject(new Error("extras did not load")));
    writer.save(JSON.stringify([{ messageId: id(2), data: "new" }]));
    expect(localStorage.getItem("echo-socket:test")).to.equal(left);
    await writer.close();
    const claimed: string[] = [];
    const later = await localStorageStorage("echo-socket:test").open((texts) => claimed.push(...texts));
    expect(parseStored(claimed, 100).messages.map((message) => message.data)).to.have.members(["left", "new"]);
    await later.close();
  });

  it("with no record holding anything, asks for no claim (the standalone element loads no extras) and does not wait for Web Locks", async () => {
    let claims = 0;
    const writer = await openLocal("echo-socket:test", async () => void claims++);
    writer.save(JSON.stringify([{ messageId: id(1), data: "mine" }])); // handed over before its lock came: written once it has
    await until(() => localStorage.getItem("echo-socket:test") !== null, 5000, "written under key itself, as a single tab does");
    await writer.close();
    expect(claims).to.equal(0);
  });

  it("opening the storage reads and removes the key", async () => {
    localStorage.setItem("echo-socket:test", JSON.stringify([{ messageId: id(1), data: "one" }]));
    const claimed: string[] = [];
    const writer = await localStorageStorage("echo-socket:test").open((texts) => claimed.push(...texts));
    expect(claimed.map((text) => parseStored(text, 100))).to.deep.equal([{ messages: [{ messageId: id(1), data: "one" }], dropped: 0 }]);
    expect(localStorage.getItem("echo-socket:test")).to.equal(null);
    await writer.close();
  });
});
