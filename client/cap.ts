/** Longest server-supplied text kept (UTF-16 units): a server's words are shown as they are, but not a megabyte of them. */
export const MAX_REASON_LENGTH = 300;

/**
 * `text` cut to at most `max` characters (the last one "…" when cut). Every string a server supplies
 * (an error's or refusal's message, a rejection, a diagnosis's detail) passes here as it enters the client.
 */
export const cap = (text: string, max = MAX_REASON_LENGTH): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
