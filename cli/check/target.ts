// Where the checks connect: the server's origin from the URL, and the socket.io path.
export interface Target {
  /** http: or https: (ws: and wss: URLs are read as their HTTP counterparts). */
  secure: boolean;
  /** Host name as given (brackets removed from IPv6 literals). */
  host: string;
  port: number;
  /** `http(s)://host:port`, no trailing slash. */
  origin: string;
  /** The engine.io path with one trailing slash, as socket.io-client requests it: `/socket.io/`. */
  enginePath: string;
  /** The path as the user gave it, without trailing slash: `/socket.io`. */
  path: string;
}

export function makeTarget(url: URL, path: string): Target {
  const secure = url.protocol === "https:" || url.protocol === "wss:";
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const port = url.port ? Number(url.port) : secure ? 443 : 80;
  const trimmed = path.replace(/\/+$/, "");
  const scheme = secure ? "https" : "http";
  return { secure, host, port, origin: `${scheme}://${url.host}`, enginePath: `${trimmed}/`, path: trimmed || "/" };
}

/** An engine.io URL: `https://host/socket.io/?EIO=4&transport=polling&...`, or its ws(s) form. */
export function engineUrl(target: Target, transport: "polling" | "websocket", query: Record<string, string> = {}, path = target.enginePath): string {
  const params = new URLSearchParams({ EIO: "4", transport, ...query });
  const origin = transport === "websocket" ? target.origin.replace(/^http/, "ws") : target.origin;
  return `${origin}${path}?${params}`;
}

/** The part after the origin, for messages: `/socket.io/?EIO=4&transport=polling`. */
export function shownPath(target: Target, transport: "polling" | "websocket", path = target.enginePath): string {
  return `${path}?EIO=4&transport=${transport}`;
}
