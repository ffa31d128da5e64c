// The outbox (issue 17): changes made without a network wait on the device (device.js) and are
// sent in the order they were made, as soon as the network is back (the "online" event, each page
// load) or when the person presses "Send now".
//
// Each page's script says how its kind of change is applied once the server answers
// (`greenlistOutbox.register(kind, {sent, conflict})`): the assessment page updates the answer's
// version, the review page its row. What the server refuses stays in the list with its reason
// (kept for the person to copy), and is not tried again.
(function () {
  "use strict";
  const device = window.greenlistDevice;
  if (!device || !device.supported || !device.user) return;
  const gettext = window.gettext || ((s) => s);
  const ngettext = window.ngettext || ((s, p, n) => (n === 1 ? s : p));
  const interpolate = window.interpolate || ((fmt, obj) => fmt.replace(/%\((\w+)\)s/g, (_m, k) => obj[k]));
  const handlers = {};
  let uploadsPending = 0; // lane A's resumable uploads waiting on this device (its own event)
  let uploadsRefused = 0; // and those the server refused: listed, no longer waiting
  let flushing = null;

  function csrfToken() {
    const match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function requestOf(item) {
    const headers = { "X-CSRFToken": csrfToken(), Accept: item.json ? "application/json" : "text/html" };
    let body;
    if (item.json) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(item.json);
    } else {
      body = new FormData();
      for (const [name, value] of item.form) body.append(name, name === "csrfmiddlewaretoken" ? csrfToken() : value);
    }
    return fetch(item.url, { method: item.method || "POST", credentials: "same-origin", headers, body });
  }

  function refusal(status, data) {
    if (status === 401 || status === 403 || status === 404) {
      return gettext("Refused: you no longer have access to this. Your text is kept here: copy it if you need it.");
    }
    const detail = data && data.detail ? data.detail : interpolate(gettext("Refused by the server (error %(status)s)."), { status }, true);
    return detail;
  }

  // Send every pending change in order. One at a time across tabs (a Web Lock where the browser
  // has them), so no change is ever sent twice.
  function flush() {
    if (flushing) return flushing;
    const run = () => sendAll().finally(() => { flushing = null; refresh(); });
    flushing = navigator.locks ? navigator.locks.request("greenlist-outbox", run) : run();
    return flushing;
  }

  async function sendAll() {
    // Always the oldest change still to send, read afresh: a change made while another is on its
    // way gets its own row (device.queue never touches a row being sent).
    for (;;) {
      if (!navigator.onLine) return;
      const item = (await device.outbox.list()).find((i) => i.state === "pending" || i.state === "sending");
      if (!item) return;
      item.state = "sending";
      await device.outbox.update(item);
      let response, data = null;
      try {
        response = await requestOf(item);
      } catch (e) {
        response = null;
      }
      if (!response || response.status >= 500 || response.status === 429) {
        item.state = "pending"; // still offline, or the server is struggling: the rest waits, in order
        await device.outbox.update(item);
        return;
      }
      const type = response.headers.get("Content-Type") || "";
      if (type.includes("json")) data = await response.json().catch(() => null);
      const handler = handlers[item.kind] || {};
      // A page form that answers with the login page: the session ended, nothing was saved.
      const loggedOut = response.redirected && new URL(response.url).pathname.startsWith("/accounts/login");
      if (response.ok && !loggedOut) {
        await device.outbox.remove(item.id);
        if (data && item.json && "version" in item.json) {
          // A later change to the same answer was made on top of this one: it names the new version
          // (a change by someone else meanwhile still answers 409).
          for (const later of await device.outbox.list()) {
            if (later.key === item.key && later.json && later.json.version === item.json.version) {
              later.json.version = data.version;
              await device.outbox.update(later);
            }
          }
        }
        if (item.draftKey) localStorage.removeItem(item.draftKey);
        if (handler.sent) await handler.sent(item, data, response);
        document.dispatchEvent(new CustomEvent("offline:saved")); // a kept page is fetched again
      } else if (response.status === 409 && (data ? data.current : item.form)) {
        // Changed meanwhile: the page shows both (an answer's JSON names the saved one; a page form's
        // answer is its row drawn again, with the saved one and what was sent).
        item.state = "conflict";
        item.current = data ? data.current : null;
        item.message = data ? data.detail : "";
        await device.outbox.update(item);
        if (handler.conflict) await handler.conflict(item, response);
      } else if (loggedOut) {
        // Kept as it is, and the rest waits behind it: sent once the person has logged in again.
        item.state = "pending";
        item.message = gettext("Not sent: log in again, then press “Send now”.");
        await device.outbox.update(item);
        return;
      } else {
        item.state = "refused";
        item.message = refusal(response.status, data);
        await device.outbox.update(item);
        if (handler.refused) handler.refused(item);
      }
    }
  }

  // --- what the person sees ------------------------------------------------------------------
  function describe(item) {
    if (item.summary) return item.summary; // the page's own words (the rating's label, not its code)
    if (item.json) {
      return ["rating", "justification", "action_text"].map((k) => item.json[k]).filter(Boolean).join(" · ");
    }
    return item.form.filter(([k]) => ["rating", "finding", "comment"].includes(k)).map(([, v]) => v).filter(Boolean).join(" · ");
  }

  async function refresh() {
    const items = await device.outbox.list();
    const waiting = items.filter((i) => i.state !== "refused").length;
    // With something refused listed below, "Everything is sent" would not be true.
    const refused = items.length - waiting + uploadsRefused;
    document.querySelectorAll(".js-outbox-count").forEach((el) => {
      const n = waiting + uploadsPending;
      el.textContent = n
        ? interpolate(ngettext("Not yet sent (%(n)s)", "Not yet sent (%(n)s)", n), { n }, true)
        : refused ? gettext("Nothing left to send") : gettext("Everything is sent");
      const outbox = el.closest(".js-outbox");
      outbox.dataset.state = n ? "waiting" : "sent";
      outbox.hidden = false; // shown once it says what the device holds, never "sent" before it looked
    });
    document.querySelectorAll(".js-outbox-panel").forEach((panel) => {
      const page = panel.dataset.scope === "all" ? null : location.pathname;
      const list = document.createElement("ul");
      list.className = "outbox-items";
      for (const item of items) {
        if (page && item.page !== page) continue;
        const li = document.createElement("li");
        li.dataset.state = item.state;
        const head = document.createElement("strong");
        head.textContent = item.label;
        const text = document.createElement("span");
        text.className = "outbox-text";
        text.textContent = describe(item);
        li.append(head, " ", text);
        if (item.state !== "pending" || item.message) {
          const why = document.createElement("p");
          why.className = item.state === "refused" ? "field-error" : "notice";
          why.textContent = item.state === "conflict" ? gettext("Changed by someone else meanwhile: open the page to choose.") : item.message;
          li.append(why);
          if (item.state === "conflict" && item.page !== location.pathname) {
            const open = document.createElement("a");
            open.href = item.page;
            open.textContent = gettext("Open the page");
            li.append(open);
          }
          const drop = document.createElement("button");
          drop.type = "button";
          drop.className = "button secondary small";
          drop.textContent = gettext("Remove from the list");
          drop.addEventListener("click", async () => { await device.outbox.remove(item.id); refresh(); });
          li.append(" ", drop);
        }
        list.append(li);
      }
      panel.replaceChildren(list);
    });
    document.dispatchEvent(new CustomEvent("outbox:changed", { detail: { items } }));
  }

  document.addEventListener("click", (event) => {
    if (event.target.closest(".js-outbox-send")) flush();
  });
  document.addEventListener("offline:uploads-pending", (event) => {
    uploadsPending = Number(event.detail && event.detail.count) || 0;
    uploadsRefused = Number(event.detail && event.detail.refused) || 0;
    refresh();
  });
  window.addEventListener("online", () => flush());

  window.greenlistOutbox = {
    register: (kind, handler) => { handlers[kind] = handler; },
    queue: async (item) => { const row = await device.outbox.queue(Object.assign({ page: location.pathname }, item)); refresh(); return row; },
    remove: async (id) => { await device.outbox.remove(id); refresh(); },
    list: () => device.outbox.list(),
    flush,
    refresh,
  };
  refresh().then(() => flush());
})();
