/** The page's icon, inline (no request, so no 404): two arrows, out and back. */
const FAVICON =
  "data:image/svg+xml," +
  encodeURIComponent(
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#0b5cd5"/><path d="M7 12h15l-4-4M25 20H10l4 4" fill="none" stroke="#fff" stroke-width="3" stroke-linecap="round" stroke-linejoin="round"/></svg>',
  );

/** The demo page: the element, what it is, and the snippet to copy. `origin` comes from the request, so it is escaped. */
export function demoPage(origin: string): string {
  const snippet = `<script src="${origin}/echo/echo-socket.js"></script>\n<echo-socket></echo-socket>`;
  return `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>echo-socket demo</title>
<link rel="icon" href="${FAVICON}">
<style>
  :root { color-scheme: light dark; font: 1rem/1.5 system-ui, sans-serif; }
  body { max-width: 42rem; margin: 2rem auto; padding: 0 1rem; }
  pre { padding: 0.75rem; border: 1px solid #8884; border-radius: 6px; overflow-x: auto; }
</style>
<script src="/echo/echo-socket.js"></script>
<main>
  <h1>echo-socket</h1>
  <p>Type a message and press Enter: the server sends it straight back over socket.io
     (WebSocket, or HTTP long-polling where WebSocket is blocked). Messages are shown as text, never as HTML.</p>
  <echo-socket></echo-socket>
  <h2>Put it on your own page</h2>
  <p>Any page, on any site, needs these two lines:</p>
  <pre><code>${escapeHtml(snippet)}</code></pre>
  <p>Server health: <a href="/echo/health">/echo/health</a></p>
</main>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
