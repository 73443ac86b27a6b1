// Haven's chat widget. Embed with one tag on any page:
//   <script src="https://support.example/assets/chat-widget.js" data-haven-chat data-lang="pt-BR" defer></script>
// Optional: data-identity="<the app's signed identity>" inside the app's web view (no pre-chat form then).
// The protocol is docs/chat-protocol.md: every message has this client's id and is sent again until acknowledged;
// after any disconnect the widget resumes from the last sequence number it showed, so nothing is lost or doubled.
(() => {
  const script = document.currentScript || document.querySelector("script[data-haven-chat]");
  if (!script || window.__havenChat) return;
  window.__havenChat = true;
  const base = new URL(script.src, location.href);
  const origin = base.origin;
  const identity = script.dataset.identity || null;

  const STRINGS = {
    en: { launcher: "Chat with us", title: "Chat with support", close: "Close", name: "Your name", email: "Email", topic: "Topic", message: "How can we help?",
      start: "Start chat", topics: ["Account and login", "LIVE", "Payments and coins", "Safety", "Something else"],
      waiting: "You're in the queue. An agent will join shortly.", unavailable: "No one is available to chat right now. Leave a message and we'll answer by email.",
      leave: "Send message", left_done: "Thank you. We received your message (request #{n}) and will answer by email.",
      joined: "{name} joined the chat", left: "{name} left the chat", ended: "The chat has ended. If anything is left, we'll follow up by email.",
      typing: "{name} is typing…", support: "Support", seen: "Seen", send: "Send", input: "Your message", end: "End chat", you: "You",
      reconnecting: "Connection lost. Reconnecting…", sending: "Sending…", email_needed: "Enter your email address, so we can answer if the chat is cut.",
      failed: "Something went wrong: {detail}", new_chat: "New chat",
      attach: "Send a picture or a recording", uploading: "Sending {name}…", transcript: "Email me the transcript", transcript_sent: "The transcript is on its way to {email}." },
    "pt-BR": { launcher: "Fale conosco", title: "Chat com o suporte", close: "Fechar", name: "Seu nome", email: "E-mail", topic: "Assunto", message: "Como podemos ajudar?",
      start: "Iniciar chat", topics: ["Conta e login", "LIVE", "Pagamentos e moedas", "Segurança", "Outro assunto"],
      waiting: "Você está na fila. Um atendente vai entrar em breve.", unavailable: "Ninguém está disponível para conversar agora. Deixe uma mensagem e responderemos por e-mail.",
      leave: "Enviar mensagem", left_done: "Obrigado. Recebemos sua mensagem (pedido nº {n}) e responderemos por e-mail.",
      joined: "{name} entrou no chat", left: "{name} saiu do chat", ended: "O chat terminou. Se faltar algo, continuaremos por e-mail.",
      typing: "{name} está digitando…", support: "Suporte", seen: "Visto", send: "Enviar", input: "Sua mensagem", end: "Encerrar chat", you: "Você",
      reconnecting: "Conexão perdida. Reconectando…", sending: "Enviando…", email_needed: "Informe seu e-mail, para podermos responder se o chat cair.",
      failed: "Algo deu errado: {detail}", new_chat: "Novo chat",
      attach: "Enviar uma imagem ou gravação", uploading: "Enviando {name}…", transcript: "Receber a conversa por e-mail", transcript_sent: "A transcrição está a caminho de {email}." },
    ar: { launcher: "تحدث معنا", title: "الدردشة مع الدعم", close: "إغلاق", name: "اسمك", email: "البريد الإلكتروني", topic: "الموضوع", message: "كيف يمكننا المساعدة؟",
      start: "بدء الدردشة", topics: ["الحساب وتسجيل الدخول", "البث المباشر", "المدفوعات والعملات", "الأمان", "أمر آخر"],
      waiting: "أنت في قائمة الانتظار. سينضم إليك موظف قريبًا.", unavailable: "لا يوجد أحد متاح للدردشة الآن. اترك رسالة وسنرد عليك بالبريد الإلكتروني.",
      leave: "إرسال الرسالة", left_done: "شكرًا لك. استلمنا رسالتك (الطلب رقم {n}) وسنرد بالبريد الإلكتروني.",
      joined: "انضم {name} إلى الدردشة", left: "غادر {name} الدردشة", ended: "انتهت الدردشة. إن بقي شيء فسنتابع بالبريد الإلكتروني.",
      typing: "{name} يكتب…", support: "الدعم", seen: "تمت المشاهدة", send: "إرسال", input: "رسالتك", end: "إنهاء الدردشة", you: "أنت",
      reconnecting: "انقطع الاتصال. جارٍ إعادة الاتصال…", sending: "جارٍ الإرسال…", email_needed: "أدخل بريدك الإلكتروني لنتمكن من الرد إذا انقطعت الدردشة.",
      failed: "حدث خطأ: {detail}", new_chat: "دردشة جديدة",
      attach: "إرسال صورة أو تسجيل", uploading: "جارٍ إرسال {name}…", transcript: "أرسل لي نص المحادثة بالبريد", transcript_sent: "نص المحادثة في طريقه إلى {email}." },
    fr: { launcher: "Discuter avec nous", title: "Chat avec l'assistance", close: "Fermer", name: "Votre nom", email: "E-mail", topic: "Sujet", message: "Comment pouvons-nous vous aider ?",
      start: "Démarrer le chat", topics: ["Compte et connexion", "LIVE", "Paiements et pièces", "Sécurité", "Autre chose"],
      waiting: "Vous êtes dans la file d'attente. Un conseiller va vous rejoindre.", unavailable: "Personne n'est disponible pour discuter pour l'instant. Laissez un message, nous répondrons par e-mail.",
      leave: "Envoyer le message", left_done: "Merci. Nous avons reçu votre message (demande n° {n}) et répondrons par e-mail.",
      joined: "{name} a rejoint le chat", left: "{name} a quitté le chat", ended: "Le chat est terminé. S'il reste quelque chose, nous poursuivrons par e-mail.",
      typing: "{name} écrit…", support: "Assistance", seen: "Vu", send: "Envoyer", input: "Votre message", end: "Terminer le chat", you: "Vous",
      reconnecting: "Connexion perdue. Reconnexion…", sending: "Envoi…", email_needed: "Indiquez votre e-mail, pour que nous puissions répondre si le chat est coupé.",
      failed: "Un problème est survenu : {detail}", new_chat: "Nouveau chat",
      attach: "Envoyer une image ou un enregistrement", uploading: "Envoi de {name}…", transcript: "Recevoir la conversation par e-mail", transcript_sent: "La transcription part vers {email}." },
  };
  const requested = script.dataset.lang || navigator.language || "en";
  const lang = STRINGS[requested] ? requested : requested.toLowerCase().startsWith("pt") ? "pt-BR" : STRINGS[requested.slice(0, 2)] ? requested.slice(0, 2) : "en";
  const t = (key, values = {}) => STRINGS[lang][key].replace(/\{(\w+)\}/g, (_, k) => values[k] ?? "");
  const rtl = lang === "ar";

  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = new URL("chat-widget.css", base).href;
  document.head.appendChild(link);

  const el = (tag, attrs = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === "text") node.textContent = v; else if (v !== null && v !== undefined) node.setAttribute(k, v);
    }
    for (const child of children) node.append(child);
    return node;
  };

  // What survives a reload, a sleeping laptop or a dropped network: the conversation and the unacknowledged messages.
  const storeKey = "haven-chat:" + origin;
  const load = () => { try { return JSON.parse(localStorage.getItem(storeKey)) || null; } catch { return null; } };
  let saved = load();
  const save = () => { try { localStorage.setItem(storeKey, JSON.stringify(saved)); } catch {} };

  const launcher = el("button", { type: "button", class: "haven-chat-launcher", "aria-expanded": "false", "aria-controls": "haven-chat-panel", text: t("launcher") });
  const panel = el("section", { id: "haven-chat-panel", class: "haven-chat-panel", role: "dialog", "aria-labelledby": "haven-chat-title", lang, dir: rtl ? "rtl" : "ltr", hidden: "" });
  const closeButton = el("button", { type: "button", class: "haven-chat-close", "aria-label": t("close"), text: "×" });
  const status = el("p", { class: "haven-chat-status", role: "status", "aria-live": "polite" });
  const body = el("div", { class: "haven-chat-body" });
  panel.append(el("header", {}, el("h2", { id: "haven-chat-title", text: t("title") }), closeButton), status, body);
  document.body.append(launcher, panel);

  const open = (show) => {
    panel.hidden = !show;
    launcher.setAttribute("aria-expanded", String(show));
    if (show) (panel.querySelector("input, textarea, button:not(.haven-chat-close)") || closeButton).focus(); else launcher.focus();
  };
  launcher.addEventListener("click", () => open(panel.hidden));
  closeButton.addEventListener("click", () => open(false));
  panel.addEventListener("keydown", (e) => { if (e.key === "Escape") open(false); });

  const field = (id, label, input) => el("p", {}, el("label", { for: id, text: label }), input);

  // JSON to Haven; with the conversation's token when there is one (files, the transcript).
  async function post(path, payload, headers = { "Content-Type": "application/json" }) {
    if (saved && saved.token) headers.Authorization = "Bearer " + saved.token;
    const response = await fetch(origin + path, { method: "POST", headers, body: payload instanceof Blob ? payload : JSON.stringify(payload) });
    const json = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(json.detail || response.statusText);
    return json;
  }

  // The pre-chat form, or the leave-a-message form when nobody can answer now.
  async function showStart() {
    body.replaceChildren();
    status.textContent = "";
    let available = true;
    try { available = (await (await fetch(origin + "/chat/availability?language=" + encodeURIComponent(lang))).json()).available; } catch {}
    const form = el("form", { class: "haven-chat-start", novalidate: "" });
    const name = el("input", { id: "haven-chat-name", name: "name", autocomplete: "name" });
    const email = el("input", { id: "haven-chat-email", name: "email", type: "email", autocomplete: "email", required: "" });
    const topic = el("select", { id: "haven-chat-topic", name: "topic" }, ...STRINGS[lang].topics.map((label) => el("option", { text: label })));
    const message = el("textarea", { id: "haven-chat-message", name: "message", required: "", rows: "3", dir: "auto" });
    const error = el("p", { class: "haven-chat-error", role: "alert" });
    if (!available) form.append(el("p", { class: "haven-chat-note", text: t("unavailable") }));
    if (!identity) form.append(field("haven-chat-name", t("name"), name), field("haven-chat-email", t("email"), email));
    form.append(field("haven-chat-topic", t("topic"), topic), field("haven-chat-message", t("message"), message), error,
      el("button", { type: "submit", class: "haven-chat-primary", text: available ? t("start") : t("leave") }));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      error.textContent = "";
      if (!identity && !email.value.includes("@")) { error.textContent = t("email_needed"); email.focus(); return; }
      if (!message.value.trim()) { message.focus(); return; }
      const payload = { name: name.value, email: email.value, topic: topic.value, message: message.value, language: lang, offline: !available };
      if (identity) payload.identity = identity;
      try {
        const started = await post("/chat/conversations", payload);
        if (started.offline) { body.replaceChildren(el("p", { class: "haven-chat-note", text: t("left_done", { n: started.ticket }) })); return; }
        saved = { token: started.token, ticket: started.ticket, lastSeq: 0, pending: [] };
        save();
        showConversation();
      } catch (failure) { error.textContent = t("failed", { detail: failure.message }); }
    });
    body.append(form);
    if (!panel.hidden) (form.querySelector("input, textarea") || message).focus();
  }

  let socket = null, retry = 0, lastHeard = 0, typingSent = 0, agentName = null, ended = false;
  let log, input, typingLine, seenLine;

  function showConversation() {
    ended = false;
    // A fresh page shows the whole conversation; a reconnect on the same page resumes after what it shows.
    saved.lastSeq = 0;
    log = el("ol", { class: "haven-chat-log" });
    typingLine = el("p", { class: "haven-chat-typing", "aria-live": "polite" });
    seenLine = el("p", { class: "haven-chat-seen" });
    input = el("textarea", { id: "haven-chat-input", rows: "2", dir: "auto", "aria-label": t("input") });
    const picker = el("input", { type: "file", id: "haven-chat-file", accept: "image/*,video/*", class: "haven-chat-picker", tabindex: "-1", "aria-hidden": "true" });
    const attach = el("button", { type: "button", class: "haven-chat-attach", "aria-label": t("attach"), title: t("attach"), text: "+" });
    const form = el("form", { class: "haven-chat-compose" }, attach, picker, input,
      el("button", { type: "submit", class: "haven-chat-primary", text: t("send") }));
    const endButton = el("button", { type: "button", class: "haven-chat-end", text: t("end") });
    // The log is announced politely as lines arrive; the list inside keeps its list semantics.
    body.replaceChildren(el("div", { role: "log", "aria-live": "polite", "aria-label": t("title") }, log), typingLine, seenLine, form,
      el("p", { class: "haven-chat-actions" }, endButton, transcriptButton()));
    attach.addEventListener("click", () => picker.click());
    picker.addEventListener("change", () => { for (const file of picker.files) sendFile(file); picker.value = ""; });
    form.addEventListener("submit", (e) => { e.preventDefault(); sendText(); });
    input.addEventListener("keydown", (e) => { if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); sendText(); } });
    input.addEventListener("input", () => {
      const now = Date.now();
      if (now - typingSent > 3000) { typingSent = now; frame({ type: "typing", typing: true }); }
    });
    endButton.addEventListener("click", () => frame({ type: "end" }));
    for (const p of saved.pending) showPending(p);
    connect();
  }

  const frame = (object) => { if (socket && socket.readyState === 1) socket.send(JSON.stringify(object)); };

  const newID = () => "w-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 8);
  const sendFrame = (message) => frame({ type: "send", id: message.id, text: message.text, attachments: (message.files || []).map((f) => f.id) });

  function queue(message) {
    saved.pending.push(message);
    save();
    showPending(message);
    sendFrame(message);
  }

  function sendText() {
    const text = input.value.trim();
    if (!text || ended) return;
    input.value = "";
    queue({ id: newID(), text });
  }

  // A picture or recording: uploaded first (the server checks what it really is), then sent like a line.
  async function sendFile(file) {
    if (ended) return;
    status.textContent = t("uploading", { name: file.name });
    try {
      const stored = await post("/chat/files?filename=" + encodeURIComponent(file.name), file, {});
      status.textContent = "";
      queue({ id: newID(), text: "", files: [stored] });
    } catch (failure) { status.textContent = t("failed", { detail: failure.message }); }
  }

  function showPending(message) {
    const line = el("li", { class: "haven-chat-line haven-chat-mine haven-chat-pending", "data-client-id": message.id },
      el("span", { class: "haven-chat-who", text: t("you") }), el("span", { class: "haven-chat-text", dir: "auto", text: message.text }));
    for (const file of message.files || []) line.append(fileNode(file));
    line.append(el("span", { class: "haven-chat-state", text: t("sending") }));
    log.append(line);
  }

  // A file of the conversation, fetched with the token (an <img> cannot send it) into a blob: URL; pictures shown.
  function fileNode(file) {
    const link = el("a", { class: "haven-chat-file", href: "#", download: file.filename, text: file.filename });
    fetch(origin + "/chat/files/" + file.id, { headers: { Authorization: "Bearer " + saved.token } })
      .then((r) => (r.ok ? r.blob() : null)).then((blob) => {
        if (!blob) return;
        link.href = URL.createObjectURL(blob);
        if ((file.content_type || "").startsWith("image/")) link.prepend(el("img", { src: link.href, alt: file.filename }));
      }).catch(() => {});
    return link;
  }

  function transcriptButton() {
    const button = el("button", { type: "button", class: "haven-chat-transcript", text: t("transcript") });
    button.addEventListener("click", async () => {
      button.disabled = true;
      try { status.textContent = t("transcript_sent", { email: (await post("/chat/transcript", {})).email }); }
      catch (failure) { status.textContent = t("failed", { detail: failure.message }); button.disabled = false; }
    });
    return button;
  }

  function show(entry) {
    if (entry.seq <= saved.lastSeq) return; // already shown: a resumed stream never shows a line twice
    saved.lastSeq = entry.seq;
    if (entry.kind === "message") {
      const mine = entry.from === "customer";
      const existing = entry.client_id && log.querySelector(`[data-client-id="${CSS.escape(entry.client_id)}"]`);
      if (existing) existing.remove();
      saved.pending = saved.pending.filter((p) => p.id !== entry.client_id);
      const line = el("li", { class: "haven-chat-line " + (mine ? "haven-chat-mine" : "haven-chat-theirs"), "data-seq": entry.seq },
        el("span", { class: "haven-chat-who", text: mine ? t("you") : entry.name || t("support") }), el("span", { class: "haven-chat-text", dir: "auto", text: entry.text || "" }));
      for (const file of entry.attachments || []) line.append(fileNode(file));
      log.append(line);
      if (!mine) { typingLine.textContent = ""; seenLine.textContent = ""; }
    } else if (entry.kind === "joined") {
      agentName = entry.name;
      log.append(el("li", { class: "haven-chat-event", text: t("joined", { name: entry.name || t("support") }) }));
      status.textContent = "";
    } else if (entry.kind === "left") {
      log.append(el("li", { class: "haven-chat-event", text: t("left", { name: entry.name || t("support") }) }));
    } else if (entry.kind === "ended") {
      markEnded();
    }
    save();
    log.lastElementChild?.scrollIntoView({ block: "end" });
    if (!panel.hidden && !document.hidden) frame({ type: "seen", seq: saved.lastSeq });
  }

  function markEnded() {
    if (ended) return;
    ended = true;
    log.append(el("li", { class: "haven-chat-event", text: t("ended") }));
    const again = el("button", { type: "button", class: "haven-chat-primary", text: t("new_chat") });
    again.addEventListener("click", () => { saved = null; localStorage.removeItem(storeKey); showStart(); });
    body.querySelector(".haven-chat-compose")?.remove();
    body.querySelector(".haven-chat-end")?.replaceWith(again);
    if (!body.querySelector(".haven-chat-transcript")) body.append(el("p", { class: "haven-chat-actions" }, transcriptButton()));
    status.textContent = "";
  }

  function connect() {
    const url = origin.replace(/^http/, "ws") + "/chat/socket";
    socket = new WebSocket(url);
    socket.addEventListener("open", () => {
      retry = 0;
      lastHeard = Date.now();
      frame({ type: "hello", token: saved.token, after: saved.lastSeq });
      // Unacknowledged messages go again with the same ids: the server stores each once.
      for (const p of saved.pending) sendFrame(p);
    });
    socket.addEventListener("message", (event) => {
      lastHeard = Date.now();
      let message;
      try { message = JSON.parse(event.data); } catch { return; }
      if (message.type === "welcome") {
        status.textContent = message.state === "waiting" ? t("waiting") : "";
        agentName = message.agent;
        if (message.state === "ended") markEnded();
      } else if (message.type === "entry") show(message);
      else if (message.type === "ack") {
        saved.pending = saved.pending.filter((p) => p.id !== message.id);
        save();
        log.querySelector(`[data-client-id="${CSS.escape(message.id)}"] .haven-chat-state`)?.remove();
      } else if (message.type === "typing" && message.from === "agent") {
        typingLine.textContent = message.typing ? t("typing", { name: message.name || agentName || t("support") }) : "";
        clearTimeout(typingLine.timer);
        typingLine.timer = setTimeout(() => { typingLine.textContent = ""; }, 6000);
      } else if (message.type === "seen" && message.by === "agent") {
        const mine = [...log.querySelectorAll(".haven-chat-mine[data-seq]")].pop();
        if (mine && Number(mine.dataset.seq) <= message.seq) seenLine.textContent = t("seen");
      } else if (message.type === "error") {
        if (message.code === "unknown_conversation") { saved = null; localStorage.removeItem(storeKey); showStart(); }
        else if (message.code === "ended") { saved.pending = saved.pending.filter((p) => p.id !== message.id); save(); }
        else if (message.code === "too_fast") {
          // Not stored: sent again, with the same id, a little later.
          setTimeout(() => { const p = saved && saved.pending.find((m) => m.id === message.id); if (p) sendFrame(p); }, 4000);
        }
      }
    });
    socket.addEventListener("close", () => {
      socket = null;
      if (!saved || ended) return;
      status.textContent = t("reconnecting");
      retry = Math.min(retry + 1, 5);
      setTimeout(() => { if (saved && !socket) connect(); }, Math.min(15000, 500 * 2 ** retry) * (0.5 + Math.random() / 2));
    });
  }

  // Heartbeat: a ping every 20 s; nothing heard for 45 s means the connection is dead (a sleeping laptop).
  setInterval(() => {
    if (!socket) return;
    if (Date.now() - lastHeard > 45000) { socket.close(); return; }
    frame({ type: "ping" });
  }, 20000);
  document.addEventListener("visibilitychange", () => { if (!document.hidden && saved && log) frame({ type: "seen", seq: saved.lastSeq }); });

  if (saved && saved.token) { showConversation(); } else { showStart(); }
})();
