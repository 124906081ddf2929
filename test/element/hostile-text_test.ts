import { expect } from "@open-wc/testing";
import { connectedElement, entries, sendAndWait, useServer } from "./helpers.js";

declare global {
  interface Window {
    pwned?: string[];
  }
}

// Each one would run script or add markup if written with innerHTML, as the tutorial's page does.
const hostile = [
  `<img src=x onerror="(window.pwned ??= []).push('img')">`,
  `<script>(window.pwned ??= []).push('script')</script>`,
  `<svg onload="(window.pwned ??= []).push('svg')"></svg>`,
  `<svg><animate onbegin="(window.pwned ??= []).push('animate')" attributeName=x dur=1s>`,
  `"><img src=x onerror="(window.pwned ??= []).push('attr-double')">`,
  `'><img src=x onerror='(window.pwned ??= []).push("attr-single")'>`,
  `</span></div><img src=x onerror="(window.pwned ??= []).push('close-tags')">`,
  `<iframe srcdoc="<script>parent.pwned=['iframe']</script>"></iframe>`,
  `<a href="javascript:(window.pwned ??= []).push('link')">click</a>`,
  `<style>*{display:none}</style>`,
  `<b>bold</b> &amp; &lt;entities&gt;`,
  `\${(window.pwned ??= []).push('template')}`,
  `{{constructor.constructor('(window.pwned ??= []).push("mustache")')()}}`,
];

describe("hostile text", () => {
  const server = useServer();

  for (const text of hostile) {
    it(`shows ${JSON.stringify(text.slice(0, 40))} as text and runs nothing`, async () => {
      const element = await connectedElement(server.url);
      await sendAndWait(element, text);
      await element.updateComplete;
      await new Promise((resolve) => setTimeout(resolve, 50)); // give an injected handler the chance to fire
      expect(entries(element)).to.deep.equal([{ text, state: "echoed" }]);
      const entry = element.shadowRoot!.querySelector('[part~="message"] .text')!;
      expect(entry.children.length, "no elements inside the entry").to.equal(0);
      expect(element.shadowRoot!.querySelectorAll("img, script, svg, iframe, a, b, style").length).to.equal(0);
      expect(window.pwned).to.equal(undefined);
    });
  }
});
