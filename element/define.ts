// Registers <echo-socket>: what `echo-socket/element` and the standalone bundle import. The class
// itself (element/echo-socket.ts) defines nothing, so it can be registered under another name.
import { EchoSocketElement } from "./echo-socket.js";

export * from "./echo-socket.js";

// Guarded, so a page that includes the script twice keeps working.
if (!customElements.get("echo-socket")) customElements.define("echo-socket", EchoSocketElement);

declare global {
  interface HTMLElementTagNameMap {
    "echo-socket": EchoSocketElement;
  }
}
