// The desk page's script (src/desk/assets/desk.js). It only shows what the
// server sends: every word on the page is rendered by the server, from the
// same code as the command line and the slip. It keeps nothing: no storage,
// no cookies; the panels live in the DOM while the server says so.
"use strict";
(function () {
  const params = new URLSearchParams(location.search);
  const key = params.get("k") || "";
  const lang = params.get("lang") || document.documentElement.lang;
  const panels = document.getElementById("panels");
  const conn = document.getElementById("conn");
  const service = document.getElementById("service");
  const frame = document.getElementById("print-frame");
  const q = (extra) => "k=" + encodeURIComponent(key) + "&lang=" + encodeURIComponent(lang) + (extra || "");
  let lastAsked = null; // the reader whose question the keyboard answers

  document.getElementById("lang-switch").addEventListener("click", (e) => {
    e.preventDefault();
    const p = new URLSearchParams(location.search);
    p.set("lang", e.currentTarget.dataset.lang);
    location.search = p.toString();
  });

  function panelFor(reader) {
    for (const el of panels.querySelectorAll("section.panel")) {
      if (el.dataset.reader === reader) return el;
    }
    return null;
  }

  // The panel the keyboard acts on: the one that asked last, else any
  // panel that asks, else (for p) the only panel that can print.
  function keyPanel(needQuestion) {
    const asking = (el) => el && el.querySelector(".ask") !== null;
    const last = lastAsked === null ? null : panelFor(lastAsked);
    if (asking(last)) return last;
    const all = Array.from(panels.querySelectorAll("section.panel"));
    const ask = all.find(asking);
    if (ask) return ask;
    if (needQuestion) return null;
    const printable = all.filter((el) => el.querySelector("button.print") !== null);
    return printable.length === 1 ? printable[0] : null;
  }

  // A slip printed for a holder leaves the print frame with that holder's
  // panel: nothing of theirs stays in the page.
  function forgetPrint(reader) {
    if (reader === undefined || frame.dataset.reader === reader) {
      frame.removeAttribute("src");
      frame.src = "about:blank";
      delete frame.dataset.reader;
    }
  }

  function showPanel(doc) {
    let el = panelFor(doc.reader);
    if (doc.state !== "report") forgetPrint(doc.reader);
    if (doc.state === "gone") {
      if (el) el.remove();
    } else {
      if (!el) {
        el = document.createElement("section");
        el.className = "panel";
        el.dataset.reader = doc.reader;
        panels.appendChild(el);
      }
      el.dataset.state = doc.state;
      el.innerHTML = doc.html;
      if (doc.question) lastAsked = doc.reader;
    }
    if (lastAsked !== null && (panelFor(lastAsked) === null || panelFor(lastAsked).querySelector(".ask") === null)) {
      const next = keyPanel(true);
      lastAsked = next === null ? null : next.dataset.reader;
    }
    document.getElementById("waiting").hidden = panels.querySelector("section.panel") !== null;
  }

  function showService(doc) {
    service.dataset.state = doc.state;
    service.hidden = doc.state !== "lost";
    service.textContent = doc.state === "lost" ? doc.message + " " + doc.next_step : "";
  }

  async function answer(reader, question, value) {
    const r = await fetch("/api/answer?" + q(), {
      method: "POST",
      headers: { "content-type": "application/json", "x-jpki-desk-key": key },
      body: JSON.stringify({ reader: reader, question: question, answer: value === "unknown" ? null : value }),
    });
    if (r.ok) showPanel(await r.json());
  }

  function print(reader) {
    frame.onload = () => {
      if (frame.dataset.reader === reader) frame.contentWindow.print();
    };
    frame.dataset.reader = reader;
    frame.src = "/slip?" + q("&reader=" + encodeURIComponent(reader));
  }

  panels.addEventListener("click", (e) => {
    const button = e.target.closest("button");
    if (!button) return;
    const panel = button.closest("section.panel");
    if (!panel) return;
    if (button.dataset.action === "print") {
      print(panel.dataset.reader);
    } else if (button.classList.contains("answer")) {
      const ask = button.closest(".ask");
      panel.querySelectorAll("button.answer").forEach((b) => (b.disabled = true));
      answer(panel.dataset.reader, ask.dataset.question, button.dataset.answer);
    }
  });

  // Keys: y / n (はい・いいえ), 1-3 for the other choices, ? for "don't
  // know" act on the panel that asked last, else on one that asks; p
  // prints the only panel that can (or the one that asks).
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const k = e.key.toLowerCase();
    const panel = keyPanel(k !== "p");
    if (!panel) return;
    const target = k === "p"
      ? panel.querySelector("button.print")
      : panel.querySelector('button.answer[data-key="' + CSS.escape(k) + '"]');
    if (target && !target.disabled) {
      e.preventDefault();
      target.click();
    }
  });

  let source = null;
  function connect() {
    source = new EventSource("/api/events?" + q());
    source.addEventListener("open", () => {
      conn.hidden = true;
      conn.dataset.state = "open";
    });
    source.addEventListener("reset", (e) => {
      const doc = JSON.parse(e.data);
      for (const el of panels.querySelectorAll("section.panel")) {
        if (!doc.readers.includes(el.dataset.reader)) el.remove();
      }
    });
    source.addEventListener("panel", (e) => showPanel(JSON.parse(e.data)));
    source.addEventListener("service", (e) => showService(JSON.parse(e.data)));
    source.addEventListener("error", () => {
      conn.hidden = false;
      conn.dataset.state = "closed";
      // A server that went away: clear what it showed (nothing about a
      // holder stays on screen without the server), then try again.
      for (const el of panels.querySelectorAll("section.panel")) el.remove();
      forgetPrint();
      lastAsked = null;
      document.getElementById("waiting").hidden = false;
      if (source.readyState === EventSource.CLOSED) {
        source.close();
        setTimeout(connect, 2000);
      }
    });
  }
  connect();
})();
