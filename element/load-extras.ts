import type * as ExtrasModule from "./extras.js";

/** The composer and the entries' details: `element/extras.ts`. */
export type Extras = typeof ExtrasModule;
export type { Composer } from "./extras.js";

/**
 * Loads the composer and its helpers on demand. The standalone build (rollup.config.mjs) replaces
 * this module's body: there, `echo-socket-extras.js` is fetched from beside the script.
 */
export const loadExtras = (): Promise<Extras> => import("./extras.js");
