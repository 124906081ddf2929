/** The demo page: for now the tutorial's client, written safely (textContent, never innerHTML). */
export function demoPage(): string {
  return `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>echo-socket demo</title>
<h1>echo-socket</h1>
<form id="form"><label>Message <input id="message" autocomplete="off"></label> <button>Send</button></form>
<ul id="output" role="log" aria-live="polite"></ul>
<script src="/socket.io/socket.io.js"></script>
<script>
  const socket = io.connect(location.origin, { path: "/socket.io" });
  const input = document.getElementById("message");
  socket.on("echo", (data) => {
    const li = document.createElement("li");
    li.textContent = "echo: " + data;
    document.getElementById("output").append(li);
  });
  document.getElementById("form").addEventListener("submit", (event) => {
    event.preventDefault();
    if (input.value) socket.emit("ms", input.value);
    input.value = "";
  });
</script>
</html>
`;
}
