// The agent's side of a live chat, on the ticket page (docs/chat-protocol.md). Without it the page still works:
// replies post the form and the page reloads. With it, the customer's lines appear as they are written, the reply
// box sends into the chat without a reload, and typing and "seen" show both ways.
const live = document.getElementById("chat-live");
const ticket = Number(live.dataset.ticket);
let after = Number(live.dataset.after) || 0;
let ended = live.hasAttribute("data-closed");
const timeline = document.querySelector(".timeline");
const state = live.querySelector(".chat-state");
const form = document.getElementById("reply-form");
const body = document.getElementById("reply-body");
let socket = null, retry = 0, typingSent = 0, stateTimer = null;
const pending = new Map();

function say(text, forMs) {
  // Once the chat has ended, that is what the line says.
  if (ended && text !== live.dataset.ended) return;
  state.textContent = text;
  clearTimeout(stateTimer);
  if (forMs) stateTimer = setTimeout(() => { if (!ended) state.textContent = ""; }, forMs);
}

function append(entry) {
  if (entry.seq <= after) return;
  after = entry.seq;
  if (entry.kind === "ended") {
    ended = true;
    say(live.dataset.ended);
    document.getElementById("end-chat-form")?.remove();
    return;
  }
  if (entry.kind !== "message") return;
  const id = (entry.message_id || "").toLowerCase();
  if (document.getElementById("m-" + id)) return;
  const item = document.createElement("li");
  item.className = "message from-" + (entry.from === "customer" ? "contact" : entry.from) + (entry.internal ? " internal" : "");
  const article = document.createElement("article");
  article.setAttribute("aria-labelledby", "m-" + id);
  const header = document.createElement("header");
  header.id = "m-" + id;
  const who = document.createElement("strong");
  who.textContent = entry.name || (entry.from === "customer" ? live.dataset.customer : live.dataset.agent);
  const time = document.createElement("time");
  time.dateTime = entry.at;
  time.textContent = new Date(entry.at).toLocaleTimeString(document.documentElement.lang, { hour: "2-digit", minute: "2-digit" });
  header.append(who, " ", time);
  const text = document.createElement("div");
  text.className = "body";
  text.dir = "auto";
  text.textContent = entry.text || "";
  article.append(header, text);
  // Files as links to download, as on the server-rendered page: never shown inline (what a customer sends may be harmful).
  if (entry.attachments?.length) {
    const files = document.createElement("ul");
    files.className = "files";
    files.setAttribute("aria-label", live.dataset.files);
    for (const file of entry.attachments) {
      const link = document.createElement("a");
      link.href = "/attachments/" + file.id;
      link.textContent = file.filename;
      const type = document.createElement("span");
      type.className = "hint";
      type.textContent = file.content_type;
      const li = document.createElement("li");
      li.append(link, " ", type);
      files.append(li);
    }
    article.append(files);
  }
  item.append(article);
  timeline.append(item);
  item.scrollIntoView({ block: "nearest" });
  if (entry.from === "customer") {
    say("");
    if (!document.hidden) frame({ type: "seen", seq: after });
  }
}

const frame = (object) => { if (socket && socket.readyState === 1) socket.send(JSON.stringify(object)); };

function connect() {
  socket = new WebSocket(location.origin.replace(/^http/, "ws") + "/workspace/chat/socket");
  socket.addEventListener("open", () => {
    retry = 0;
    if (!ended) say("");
    frame({ type: "hello", ticket, after });
    for (const [id, text] of pending) frame({ type: "send", id, text });
  });
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(event.data);
    if (message.type === "entry") append(message);
    else if (message.type === "ack") {
      pending.delete(message.id);
    } else if (message.type === "typing") {
      // The customer, or another agent on this chat (who else is answering).
      const text = message.from === "customer" ? live.dataset.typing : live.dataset.agentTyping.replace("{name}", message.name || live.dataset.agent);
      say(message.typing ? text : "", 6000);
    } else if (message.type === "seen" && message.by === "customer") {
      say(live.dataset.seen, 8000);
    } else if (message.type === "error" && message.id && pending.has(message.id)) {
      // Refused in the chat (it ended): the form posts it instead, by email if the chat is over.
      body.value = pending.get(message.id);
      pending.delete(message.id);
      form.submit();
    }
  });
  socket.addEventListener("close", () => {
    socket = null;
    say(live.dataset.reconnecting);
    retry = Math.min(retry + 1, 5);
    setTimeout(connect, Math.min(15000, 500 * 2 ** retry));
  });
}

// A public reply with no status change goes into the chat; anything else (a note, "send and solve") posts the form.
form?.addEventListener("submit", (event) => {
  const isPublic = document.getElementById("as-public")?.checked;
  const keepStatus = !document.getElementById("reply-status")?.value;
  const text = body.value.trim();
  if (ended || !isPublic || !keepStatus || !text || !socket || socket.readyState !== 1) return;
  event.preventDefault();
  const id = "a-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 8);
  pending.set(id, text);
  frame({ type: "send", id, text });
  body.value = "";
  body.focus();
});
body?.addEventListener("input", () => {
  if (ended || !document.getElementById("as-public")?.checked) return;
  const now = Date.now();
  if (now - typingSent > 3000) { typingSent = now; frame({ type: "typing", typing: true }); }
});
setInterval(() => frame({ type: "ping" }), 20000);
connect();
