import { EchoClient } from "./echo-client.js";
import type { EchoClientOptions } from "./options.js";

/** `new EchoClient(options)`: validates the options and, unless `autoConnect: false`, connects. */
export function createEchoClient(options?: Partial<EchoClientOptions>): EchoClient {
  return new EchoClient(options);
}
