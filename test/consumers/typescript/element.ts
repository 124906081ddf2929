// echo-socket/element and echo-socket/element/class, as a bundler's TypeScript user writes them (type-checked).
import "echo-socket/element";
import {
  EchoSocketElement,
  type ConnectionStatus,
  type EchoReceiveDetail,
  type EchoSendDetail,
  type EchoSocketEventMap,
  type EchoStatusDetail,
  type MessageState,
} from "echo-socket/element/class";

// `echo-socket/element` registers the tag: the DOM's maps know it.
const element: EchoSocketElement | null = document.querySelector("echo-socket");
const made: EchoSocketElement = document.createElement("echo-socket");
made.url = "https://echo.example.com";
made.maxQueued = 50;
const queued: boolean = made.send({ hello: "element" });
const status: ConnectionStatus = made.connectionStatus;
made.addEventListener("echo-socket-echo", (event) => {
  const detail: EchoReceiveDetail = event.detail;
  console.log(detail.id, detail.data);
});
made.addEventListener("echo-socket-send", (event: CustomEvent<EchoSendDetail>) => console.log(event.detail.id));
made.addEventListener("echo-socket-status", (event: EchoSocketEventMap["echo-socket-status"]) => {
  const detail: EchoStatusDetail = event.detail;
  console.log(detail.status, detail.transport);
});
const state: MessageState = "echoed";

// The class registers nothing itself: another name is fine.
class MyEcho extends EchoSocketElement {}
customElements.define("my-echo", MyEcho);

// @ts-expect-error url is a string
made.url = 42;
console.log(element, queued, status, state);
