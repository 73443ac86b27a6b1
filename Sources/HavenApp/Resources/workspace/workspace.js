// Haven's agent workspace: what a page gains with JavaScript. Every page also works without it.
// - dates shown in the browser's time zone, in the page's language;
// - keyboard shortcuts (press ? for the list);
// - the presence menu saves as soon as it changes;
// - a blurred picture or video is revealed in place (the server counts it first);
// - a canned response goes into the reply where the cursor is, without reloading the page.
const lang = document.documentElement.lang || "en";
document.documentElement.classList.add("js");

const dateFormat = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" });
// Also for what a live page swaps in (workspace-live.js).
export function localTimes(root = document) {
    for (const time of root.querySelectorAll("time[datetime]")) {
        const date = new Date(time.getAttribute("datetime"));
        if (!Number.isNaN(date.getTime())) {
            time.textContent = dateFormat.format(date);
        }
    }
}
localTimes();

for (const select of document.querySelectorAll("select[data-autosubmit]")) {
    select.addEventListener("change", () => select.form.requestSubmit());
}

const typing = (element) => element && (element.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(element.tagName));
const click = (selector) => { const element = document.querySelector(selector); if (element) { element.click(); return true; } return false; };
const focusReply = (internal) => {
    const choice = document.getElementById(internal ? "as-internal" : "as-public");
    const body = document.getElementById("reply-body");
    if (!choice || !body) return false;
    choice.checked = true;
    body.focus();
    return true;
};
let pending = "";

document.addEventListener("keydown", (event) => {
    const reply = document.getElementById("reply-form");
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && reply && reply.contains(event.target)) {
        if (event.shiftKey) document.getElementById("reply-status").value = "solved";
        event.preventDefault();
        reply.requestSubmit();
        return;
    }
    if (event.key === "Escape" && typing(event.target)) { event.target.blur(); return; }
    if (typing(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
    const key = event.key;
    if (pending === "g" && key === "i") { pending = ""; location.href = "/inbox"; return; }
    pending = key === "g" ? "g" : "";
    let done = false;
    switch (key) {
        case "?": document.getElementById("shortcuts")?.showModal(); done = true; break;
        case "n": done = click("#get-next"); break;
        case "/": { const search = document.getElementById("q"); if (search) { search.focus(); done = true; } break; }
        case "r": done = focusReply(false); break;
        case "i": done = focusReply(true); break;
        case "a": done = click("#take"); break;
        case "[": case "]": {
            // Previous or next of the agent's open tickets (the side list), wrapping around.
            const links = [...document.querySelectorAll(".mine a")];
            const current = links.findIndex((link) => link.hasAttribute("aria-current"));
            if (links.length > 0) {
                const step = key === "]" ? 1 : -1;
                const next = links[((current < 0 ? (step > 0 ? -1 : 0) : current) + step + links.length) % links.length];
                location.href = next.href;
                done = true;
            }
            break;
        }
    }
    if (done) event.preventDefault();
});

// A shielded file revealed: the server records it, then the blur goes and the header's count follows. Should the
// break prompt be due, the live region is fetched again (workspace-live.js) to show it. On any failure the form
// posts as it would without a script.
document.addEventListener("submit", async (event) => {
    const form = event.target.closest("form.reveal");
    if (!form) return;
    event.preventDefault();
    try {
        const response = await fetch(form.action, { method: "POST", headers: { Accept: "application/json", "X-CSRF-Token": form.elements.csrf.value } });
        if (!response.ok) throw new Error(String(response.status));
        const answer = await response.json();
        const item = form.closest(".shielded");
        item.classList.remove("shielded");
        form.remove();
        item.querySelector("img, video")?.focus();
        const counter = document.getElementById("exposure");
        if (counter) counter.textContent = counter.dataset.label.replace("%@", answer.exposure);
        if (answer.break_due) document.dispatchEvent(new Event("haven:refresh"));
    } catch {
        form.submit();
    }
});

// "Insert" under the reply box: the response, filled in for this ticket in the customer's language, goes in at the
// cursor. Without a script (or if the fetch fails) the button posts the draft and the page comes back with both.
document.getElementById("insert-canned")?.addEventListener("click", async (event) => {
    const choice = document.getElementById("canned"), body = document.getElementById("reply-body");
    const ticket = document.querySelector(".ticket-page")?.dataset.ticket;
    if (!choice.value) { event.preventDefault(); choice.focus(); return; }
    event.preventDefault();
    try {
        const response = await fetch(`/tickets/${ticket}/canned/${choice.value}`, { headers: { Accept: "application/json" } });
        if (!response.ok) throw new Error(String(response.status));
        const { text } = await response.json();
        const start = body.selectionStart ?? body.value.length, end = body.selectionEnd ?? start;
        const before = body.value.slice(0, start), after = body.value.slice(end);
        const gap = before && !before.endsWith("\n") ? "\n\n" : "";
        body.value = before + gap + text + after;
        body.focus();
        body.selectionStart = body.selectionEnd = (before + gap + text).length;
        body.dispatchEvent(new Event("input"));
        choice.value = "";
    } catch {
        event.target.form.requestSubmit(event.target);
    }
});

// A live chat's ticket page: the console module keeps it live over a WebSocket.
if (document.getElementById("chat-live")) import("/assets/workspace-chat.js");
// Every signed-in page: offers, the inbox and "who else is here" kept live.
if (document.querySelector("header.top")) import("/assets/workspace-live.js");
