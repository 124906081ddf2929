// The wire contract between an echo-socket server and its clients: declared here once, imported by
// server/, client/ and element/.
export * from "./envelope.js";
export * from "./events.js";
export * from "./refusal.js";
