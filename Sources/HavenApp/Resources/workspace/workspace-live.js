// What keeps a workspace page live over /workspace/socket. Without it every page still works by reloading.
// - offers to this agent appear above the page as soon as they are made;
// - the inbox refreshes its counts and list when tickets change (while the tab is visible; at once when it comes back);
// - a ticket page says who else is viewing it or writing a reply, and when someone else changed it; its side list of
//   the agent's open tickets follows.
// - a key pressed or a click tells the server the agent is at work (at most once a minute): idle agents are set away,
//   and one set away is online again at once (the presence menu follows).
import { localTimes } from "/assets/workspace.js";

const page = document.querySelector(".ticket-page");
const number = page ? Number(page.dataset.ticket) : null;
const ticketID = page?.dataset.ticketId;
const collision = document.getElementById("collision");
const others = new Map(); // name → { typing, until }
let socket = null, retry = 0, stale = false, refreshing = null, typingSent = 0;
// The server's change mark this page was rendered at: sent on (re)connecting, so a change the socket was not there
// to hear (while the page loaded, or while it was away) still refreshes the page.
let mark = document.querySelector("header.top")?.dataset.changes;

const send = (object) => { if (socket && socket.readyState === 1) socket.send(JSON.stringify(object)); };
const viewing = (typing = false) => { if (number) send({ type: "viewing", ticket: number, typing }); };

// The page as the server renders it now; the parts that change are swapped in, the rest (a draft, focus) stays.
async function refresh() {
  if (document.hidden) { stale = true; return; }
  stale = false;
  const response = await fetch(location.href, { headers: { Accept: "text/html" } });
  if (!response.ok || response.redirected) return;
  const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
  mark = fresh.querySelector("header.top")?.dataset.changes ?? mark;
  // On a ticket page the side list of the agent's open tickets follows too (a chat taken in another tab).
  const ids = page ? ["live-region", "mine-list"] : ["live-region", "inbox-results"];
  for (const id of ids) {
    const now = document.getElementById(id), next = fresh.getElementById(id);
    if (now && next) {
      localTimes(next);
      now.replaceWith(next);
    }
  }
  const views = document.querySelector(".inbox .views"), freshViews = fresh.querySelector(".inbox .views");
  if (views && freshViews) views.replaceWith(freshViews);
}

function changed(tickets) {
  // A chat's page is live already; any other ticket page offers to show someone else's change instead of reloading
  // under the agent's draft.
  if (ticketID && tickets.includes(ticketID) && !page.hasAttribute("data-chat")) document.getElementById("stale").hidden = false;
  clearTimeout(refreshing);
  // A failed fetch (the network, a restarting server) waits for the next change.
  refreshing = setTimeout(() => refresh().catch(() => { stale = true; }), 200);
}

function showOthers() {
  if (!collision) return;
  const now = Date.now();
  const lines = [];
  for (const [name, state] of others) {
    if (state.until < now) { others.delete(name); continue; }
    const typing = state.typing && state.typingUntil > now;
    lines.push((typing ? collision.dataset.typing : collision.dataset.viewing).replace("{name}", name));
  }
  const text = lines.join(" · ");
  if (collision.textContent !== text) collision.textContent = text;
}

function connect() {
  socket = new WebSocket(location.origin.replace(/^http/, "ws") + "/workspace/socket");
  socket.addEventListener("open", () => { retry = 0; send({ type: "since", mark }); viewing(); });
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(event.data);
    if (message.type === "changed") changed(message.tickets || []);
    else if (message.type === "presence") {
      if (message.left) others.delete(message.name);
      else others.set(message.name, { typing: message.typing, until: Date.now() + 45000, typingUntil: Date.now() + 8000 });
      showOthers();
    } else if (message.type === "own_presence") {
      const select = document.getElementById("presence-select");
      if (select) select.value = message.presence;
    }
  });
  socket.addEventListener("close", () => {
    socket = null;
    retry = Math.min(retry + 1, 5);
    setTimeout(connect, Math.min(15000, 500 * 2 ** retry));
  });
}

document.addEventListener("haven:refresh", () => refresh().catch(() => {}));
document.addEventListener("visibilitychange", () => { if (!document.hidden && stale) refresh().catch(() => {}); });
document.getElementById("reply-body")?.addEventListener("input", () => {
  const now = Date.now();
  if (now - typingSent > 3000) { typingSent = now; viewing(true); }
});
let activeSent = 0;
const active = () => {
  const now = Date.now();
  if (now - activeSent > 60000) { activeSent = now; send({ type: "active" }); }
};
for (const type of ["keydown", "pointerdown"]) document.addEventListener(type, active, { passive: true });
setInterval(() => { viewing(); send({ type: "ping" }); showOthers(); }, 20000);
setInterval(showOthers, 2000);
connect();
