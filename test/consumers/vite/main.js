// A bundler user's page: the element through its ESM build (Lit and socket.io-client resolved by Vite).
import "echo-socket/element";

const element = document.querySelector("echo-socket");
element.addEventListener("echo-socket-echo", (event) => console.log("echoed", event.detail.data));
