// Autosave for the self-assessment page (no inline script: strict CSP).
//
// Every change is written to localStorage at once (closing the tab loses nothing), then saved
// through the JSON API after a short pause. A save names the answer version it started from; the
// server answers 409 when someone else saved in between, and both texts are shown. Network
// failures are retried with back-off, and again as soon as the browser is back online. Without a
// network a save waits in the outbox on the device (static/js/offline/outbox.js: IndexedDB, it
// survives closing the browser), sent in order when the network is back; a conflict found then is
// shown side by side (static/js/offline/conflict.js) (issue 17).
(function () {
  "use strict";
  const configEl = document.getElementById("assessment-config");
  if (!configEl) return;
  const config = JSON.parse(configEl.textContent);
  // Words shown by this script, translated by the page (assessments.views: js_config["text"]).
  const words = config.text || {};
  const statusEl = document.getElementById("save-status");
  const DEBOUNCE_MS = 800;
  const FIELDS = ["rating", "justification", "evidence_date", "action_text", "action_owner", "action_due"];
  // The ratings that need an action plan (the Standard's scale), said once in the page's settings
  // rather than on every option of fifty selects (issue 19: the page under 200 KiB).
  const requiresAction = new Set(config.requiresAction || []);
  const draftKey = (id) => `greenlist:draft:${config.assessment}:${id}`;
  const states = new Map(); // answer id -> {form, version, timer, inflight, dirty, retryMs, evidenceDirty, error}

  function csrfToken() {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function readFields(form) {
    const data = {};
    for (const name of FIELDS) {
      const el = form.elements[name];
      let value = el ? el.value : "";
      if ((name === "evidence_date" || name === "action_due") && value === "") value = null;
      data[name] = value;
    }
    return data;
  }

  function writeFields(form, data) {
    for (const name of FIELDS) {
      const el = form.elements[name];
      if (el && name in data) el.value = data[name] === null ? "" : data[name];
    }
    showActionFields(form, false);
  }

  // The action plan is asked for only where the chosen rating needs one (the Standard's scale says
  // which: config.requiresAction), or where one was already written. Without this
  // script the fields are always shown.
  function showActionFields(form, announce) {
    const fieldset = form.querySelector("fieldset.action");
    const select = form.elements.rating;
    if (!fieldset || !select) return;
    const option = select.options[select.selectedIndex];
    const needed = Boolean(option && requiresAction.has(option.value));
    const written = ["action_text", "action_owner", "action_due"].some((n) => form.elements[n] && form.elements[n].value);
    const wasHidden = fieldset.hidden;
    fieldset.hidden = !(needed || written);
    const note = fieldset.querySelector(".js-action-needed");
    // Said once, when the fields appear because of the rating just chosen (a select fires both
    // "input" and "change": the second call keeps the sentence).
    if (!note) return;
    if (fieldset.hidden || !needed) note.textContent = "";
    else if (announce && wasHidden) note.textContent = words.actionNeeded || "This rating needs an action plan.";
  }

  function linkedIds(id) {
    const list = document.querySelector(`ul.linked-evidence[data-answer="${id}"]`);
    const ids = Array.from(list ? list.querySelectorAll("li[data-evidence]") : []).map((li) => Number(li.dataset.evidence));
    // Links not listed yet (the page shows the newest few) still belong to the answer.
    const more = list && list.dataset.more ? list.dataset.more.split(",").map(Number) : [];
    return ids.concat(more.filter((m) => !ids.includes(m)));
  }

  function setVersion(st, version) {
    st.version = version;
    st.form.dataset.version = String(version);
    st.form.elements.version.value = String(version);
  }

  // --- the page-wide status line -------------------------------------------------------------
  // Evidence files waiting on the device (static/js/upload.js announces them): while any wait, the
  // line does not say that everything is saved.
  let filesWaiting = 0;
  document.addEventListener("offline:uploads-pending", (event) => {
    filesWaiting = Number(event.detail && event.detail.count) || 0;
    refreshStatus();
  });
  function filesText() {
    return window.ngettext
      ? window.interpolate(window.ngettext("Not yet sent: %(n)s file kept on this device", "Not yet sent: %(n)s files kept on this device", filesWaiting), { n: filesWaiting }, true)
      : `Not yet sent: ${filesWaiting} files`;
  }
  // Answers and files both waiting: one sentence, not the two joined (on a phone they ran past the
  // bar's one line and were cut).
  function bothText(queued) {
    if (!window.ngettext) return `Not yet sent: ${queued} indicators, ${filesWaiting} files`;
    const { interpolate, ngettext } = window;
    return interpolate(window.gettext("Not yet sent: %(answers)s and %(files)s kept on this device"), {
      answers: interpolate(ngettext("%(n)s indicator", "%(n)s indicators", queued), { n: queued }, true),
      files: interpolate(ngettext("%(n)s file", "%(n)s files", filesWaiting), { n: filesWaiting }, true),
    }, true);
  }

  function refreshStatus() {
    if (!statusEl) return;
    let saving = 0, retrying = 0, failed = null, dirty = 0, queued = 0;
    for (const st of states.values()) {
      if (st.queued) queued++;
      if (st.inflight) saving++;
      if (st.retrying) retrying++;
      if (st.error && !failed) failed = st;
      if (st.dirty) dirty++;
    }
    let state, text;
    if (failed) {
      state = "error";
      text = (words.notSavedAt || "Not saved — see indicator %(number)s").replace("%(number)s", failed.form.closest("article").dataset.number);
    } else if (queued) {
      state = "queued";
      text = filesWaiting ? bothText(queued) : (window.ngettext
        ? window.interpolate(window.ngettext("Not yet sent: %(n)s indicator kept on this device", "Not yet sent: %(n)s indicators kept on this device", queued), { n: queued }, true)
        : `Not yet sent: ${queued}`);
    } else if (retrying) {
      state = "retrying";
      text = words.retrying || "Not saved — retrying…";
    } else if (saving || dirty) {
      state = "saving";
      text = words.saving || "Saving…";
    } else if (filesWaiting) {
      state = "queued";
      text = filesText();
    } else {
      state = "saved";
      text = words.saved || "All changes saved";
    }
    statusEl.dataset.state = state;
    if (statusEl.textContent !== text) statusEl.textContent = text;
  }

  function refreshProgress() {
    const allowed = new Set(config.allowedOnSubmit);
    let answered = 0;
    document.querySelectorAll(".js-answer-form select[name=rating]").forEach((el) => {
      if (allowed.has(el.value)) answered++;
    });
    const bar = document.getElementById("progress");
    if (bar) bar.value = answered;
    const text = document.querySelector(".js-answered");
    if (text) text.textContent = String(answered);
    // the side list: answered / total per criterion, marked when all are answered
    document.querySelectorAll(".toc-criterion").forEach((li) => {
      const selects = document.querySelectorAll(`#criterion-${CSS.escape(li.dataset.criterion)} select[name=rating]`);
      const n = Array.from(selects).filter((el) => allowed.has(el.value)).length;
      const count = li.querySelector(".js-criterion-answered");
      if (count) count.textContent = String(n);
      li.classList.toggle("done", n === selects.length);
    });
    const next = document.querySelector(".js-next-unanswered");
    if (next) next.hidden = answered === document.querySelectorAll(".js-answer-form select[name=rating]").length;
  }

  // "Next unanswered": the first indicator after the one in view (or from the top) without a
  // rating the submission accepts; its rating gets the focus.
  const nextLink = document.querySelector(".js-next-unanswered");
  if (nextLink) {
    nextLink.addEventListener("click", (event) => {
      event.preventDefault();
      const allowed = new Set(config.allowedOnSubmit);
      const open = Array.from(document.querySelectorAll(".js-answer-form select[name=rating]")).filter((el) => !allowed.has(el.value));
      const below = open.find((el) => el.getBoundingClientRect().top > 80) || open[0];
      if (!below) return;
      below.closest("article").scrollIntoView({ block: "start" });
      below.focus({ preventScroll: true });
    });
  }
  // The home page's "Continue …: N left" lands here with #next-unanswered: go straight to it.
  if (nextLink && window.location.hash === "#next-unanswered") nextLink.click();

  // --- errors and conflicts beside the fields -------------------------------------------------
  function clearErrors(st) {
    st.form.querySelectorAll("[data-error-for]").forEach((el) => (el.textContent = ""));
    st.form.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
    st.error = null;
  }

  // Error slots are not rendered for every field of every indicator: made on first use.
  function errorSlot(form, field) {
    let slot = form.querySelector(`[data-error-for="${field}"]`);
    const input = form.elements[field];
    if (slot || !field || !input || !input.insertAdjacentElement) return slot;
    slot = document.createElement("span");
    slot.className = "field-error";
    slot.dataset.errorFor = field;
    slot.id = `${input.id}-err`;
    const holder = input.closest("p");
    if (holder && holder.closest("form") === form) holder.appendChild(slot);
    else input.insertAdjacentElement("afterend", slot);
    input.setAttribute("aria-describedby", slot.id);
    return slot;
  }

  function showError(st, body) {
    st.error = body;
    const slot = errorSlot(st.form, body.field || "");
    if (slot) {
      slot.textContent = body.detail;
      const input = st.form.elements[body.field];
      if (input && input.setAttribute) input.setAttribute("aria-invalid", "true");
    } else {
      showConflictBox(st, `<p></p>`, []);
      st.form.querySelector(".js-conflict p").textContent = body.detail;
    }
  }

  function showConflictBox(st, html, buttons) {
    const box = st.form.querySelector(".js-conflict");
    box.innerHTML = html;
    for (const [label, handler] of buttons) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "button secondary";
      b.textContent = label;
      b.addEventListener("click", () => {
        box.hidden = true;
        box.innerHTML = "";
        handler();
      });
      box.appendChild(b);
    }
    box.hidden = false;
  }

  function describe(current) {
    const parts = [];
    const label = (code) => {
      const opt = document.querySelector(`select[name=rating] option[value="${code}"]`);
      return opt ? opt.textContent : code || words.notRated || "not rated";
    };
    parts.push(`${words.rating || "Rating"}: ${label(current.rating)}`);
    parts.push(`${words.justification || "Justification"}: ${current.justification || words.empty || "(empty)"}`);
    if (current.action_text) parts.push(`${words.action || "Action"}: ${current.action_text}`);
    return parts.join("\n");
  }

  // Both versions side by side, with who saved theirs and when: keep mine, take theirs, or merge
  // (static/js/offline/conflict.js draws it). `mine` is what this person wanted saved; `resolved`
  // runs once they chose (the outbox drops its copy).
  function showConflict(st, current, message, mine, resolved) {
    st.error = { detail: message, blocking: true };
    const box = st.form.querySelector(".js-conflict");
    window.greenlistConflict.show(box, {
      message, mine: mine || readFields(st.form), theirs: current, describe: (data) => describe(data),
      keep: (fields) => {
        writeFields(st.form, fields);
        setVersion(st, current.version);
        st.error = null;
        if (resolved) resolved();
        storeDraft(st);
        refreshProgress();
        schedule(st, 0);
      },
      take: () => {
        writeFields(st.form, current);
        setVersion(st, current.version);
        localStorage.removeItem(draftKey(st.id));
        st.dirty = false;
        st.error = null;
        if (resolved) resolved();
        refreshProgress();
        refreshStatus();
      },
    });
    refreshStatus();
  }

  // --- saving ---------------------------------------------------------------------------------
  function storeDraft(st) {
    try {
      localStorage.setItem(draftKey(st.id), JSON.stringify({
        fields: readFields(st.form), version: st.version, evidence: st.evidenceDirty ? linkedIds(st.id) : null,
        at: new Date().toISOString(),
      }));
    } catch (e) { /* storage full or disabled: the server save still runs */ }
  }

  function schedule(st, delay) {
    st.dirty = true;
    clearTimeout(st.timer);
    st.timer = setTimeout(() => save(st), delay === undefined ? DEBOUNCE_MS : delay);
    refreshStatus();
  }

  // Kept in the outbox: replaces this answer's earlier change still waiting there (one row per
  // answer, sent once, in the order the answers were first changed).
  async function queueAnswer(st, body) {
    st.queued = true;
    st.dirty = false;
    clearTimeout(st.timer);
    await window.greenlistOutbox.queue({
      key: `answer:${st.id}`, kind: "answer", answer: st.id, url: `${config.api}answers/${st.id}/`, method: "PUT",
      json: body, draftKey: draftKey(st.id),
      summary: [st.form.elements.rating.selectedIndex > 0 ? st.form.elements.rating.selectedOptions[0].textContent : "", body.justification, body.action_text].filter(Boolean).join(" · "),
      label: `${window.gettext ? window.gettext("Indicator") : "Indicator"} ${st.form.closest("article").dataset.number}`,
    });
    // The outbox holds this change now (and survives a closed browser): the draft would replay it.
    const now = readFields(st.form);
    if (FIELDS.every((f) => now[f] === body[f])) localStorage.removeItem(draftKey(st.id));
    refreshStatus();
  }

  async function save(st) {
    if (st.inflight) { st.again = true; return; }
    if (st.error && st.error.blocking) return;
    const sent = readFields(st.form);
    const body = Object.assign({ version: st.version }, sent);
    if (st.evidenceDirty) body.evidence = linkedIds(st.id);
    // No network, or earlier changes of this answer still waiting: behind them, in the outbox.
    if (window.greenlistOutbox && (!navigator.onLine || st.queued)) {
      await queueAnswer(st, body);
      if (navigator.onLine) window.greenlistOutbox.flush();
      return;
    }
    st.inflight = true;
    st.again = false;
    refreshStatus();
    let response, data = null;
    try {
      response = await fetch(`${config.api}answers/${st.id}/`, {
        method: "PUT",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), Accept: "application/json" },
        body: JSON.stringify(body),
      });
      data = await response.json().catch(() => null);
    } catch (e) {
      response = null; // the network dropped
    }
    st.inflight = false;
    if (!response && window.greenlistOutbox) {
      // The network dropped: the change waits on the device, whatever else is typed meanwhile too.
      st.retrying = false;
      const now = Object.assign({ version: st.version }, readFields(st.form));
      if (st.evidenceDirty) now.evidence = linkedIds(st.id);
      await queueAnswer(st, now);
      return;
    }
    if (!response || response.status >= 500 || response.status === 429) {
      st.retrying = true;
      st.retryMs = Math.min((st.retryMs || 1000) * 2, 30000);
      clearTimeout(st.timer);
      st.timer = setTimeout(() => save(st), st.retryMs);
      refreshStatus();
      return;
    }
    st.retrying = false;
    st.retryMs = 0;
    if (response.ok) {
      clearErrors(st);
      setVersion(st, data.version);
      if (body.evidence) st.evidenceDirty = false;
      const now = readFields(st.form);
      const unchanged = FIELDS.every((f) => now[f] === sent[f]);
      if (unchanged && !st.again && !st.evidenceDirty) {
        st.dirty = false;
        localStorage.removeItem(draftKey(st.id));
      } else {
        storeDraft(st);
        schedule(st, 0);
      }
      const updated = st.form.querySelector(".js-updated");
      if (updated) updated.textContent = words.savedJustNow || "Saved just now";
      document.dispatchEvent(new CustomEvent("offline:saved")); // a kept page is fetched again (offline/pages.js)
    } else if (response.status === 409 && data && data.code === "answer_changed") {
      showConflict(st, data.current, data.detail);
    } else if (response.status === 409) {
      st.error = { detail: data ? data.detail : words.notSaved || "Not saved.", blocking: true };
      showError(st, st.error);
    } else {
      showError(st, data || { detail: (words.notSavedStatus || "Not saved (error %(status)s).").replace("%(status)s", response.status) });
    }
    refreshStatus();
  }

  // --- wiring ---------------------------------------------------------------------------------
  const restores = [];
  document.querySelectorAll(".js-answer-form").forEach((form) => {
    const id = Number(form.dataset.answer);
    // The box that shows a conflicting save (another person's text beside yours): this script's
    // own, so the page does not carry fifty empty ones.
    if (!form.querySelector(".js-conflict")) {
      const box = document.createElement("div");
      box.className = "conflict js-conflict";
      box.setAttribute("role", "alert");
      box.hidden = true;
      form.querySelector(".field").before(box);
    }
    const st = { id, form, version: Number(form.dataset.version), dirty: false, evidenceDirty: false };
    states.set(id, st);
    const onChange = (event) => {
      if (event.target.name === "version" || !FIELDS.includes(event.target.name)) return;
      if (st.error && !st.error.blocking) clearErrors(st);
      storeDraft(st);
      if (event.target.name === "rating") {
        refreshProgress();
        showActionFields(form, true);
      }
      schedule(st);
    };
    showActionFields(form, false);
    form.addEventListener("input", onChange);
    form.addEventListener("change", onChange);
    form.addEventListener("submit", (event) => {
      event.preventDefault(); // with JavaScript, "Save" saves through the API at once
      storeDraft(st);
      schedule(st, 0);
    });

    // A draft left by a closed tab or a lost connection: restore it, or show both versions.
    const raw = localStorage.getItem(draftKey(id));
    if (raw) {
      let draft = null;
      try { draft = JSON.parse(raw); } catch (e) { localStorage.removeItem(draftKey(id)); }
      if (draft) {
        const server = readFields(form);
        const same = FIELDS.every((f) => (draft.fields[f] ?? null) === (server[f] ?? null)) && !draft.evidence;
        if (same) {
          localStorage.removeItem(draftKey(id));
        } else if (draft.version === st.version) {
          writeFields(form, draft.fields);
          if (draft.evidence) { st.evidenceDirty = true; }
          // Saved once the outbox is read: behind any change of this answer still waiting there.
          st.restoredDraft = true;
          restores.push(st);
        } else {
          const mine = { version: st.version, ...draft.fields };
          showConflictBox(st, "", [
            [words.restoreDraft || "Restore my unsaved text", () => { writeFields(form, draft.fields); refreshProgress(); schedule(st, 0); }],
            [words.discardDraft || "Discard it", () => localStorage.removeItem(draftKey(id))],
          ]);
          const box = form.querySelector(".js-conflict");
          const p = document.createElement("p");
          p.textContent = words.draftChanged || "You have text from an earlier visit that was not saved, and the indicator has changed since:";
          const q = document.createElement("blockquote");
          q.className = "theirs";
          q.textContent = describe(mine);
          box.prepend(p, q);
        }
      }
    }
  });

  // --- evidence links: remove, or link an item already uploaded ------------------------------
  // The server renders only each indicator's own links; more are found through a small search
  // endpoint, in one picker that moves to the indicator it was opened from.
  const text = config.text || {};

  function removeButton(title) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "link-like js-unlink";
    b.textContent = text.remove || "remove";
    b.setAttribute("aria-label", `${text.removeLabel || "Remove the link to"} ${title}`);
    return b;
  }

  function markEvidenceDirty(answerId) {
    const st = states.get(answerId);
    st.evidenceDirty = true;
    storeDraft(st);
    schedule(st, 0);
  }

  function addLinked(answerId, item, markDirty) {
    const list = document.querySelector(`ul.linked-evidence[data-answer="${answerId}"]`);
    if (!list || list.querySelector(`li[data-evidence="${item.id}"]`)) return false;
    const li = document.createElement("li");
    li.dataset.evidence = String(item.id);
    const a = document.createElement("a");
    a.href = item.download_url || config.download.replace("{}", String(item.id));
    a.textContent = item.title;
    li.append(a, " ", removeButton(item.title));
    list.appendChild(li);
    if (markDirty) markEvidenceDirty(answerId);
    return true;
  }

  // Remove buttons only where they work: added here, so a page without script shows none.
  function decorateLinked(li) {
    const link = li.querySelector("a");
    li.append(" ", removeButton(link ? link.textContent : ""));
  }
  document.querySelectorAll("ul.linked-evidence[data-answer] li[data-evidence]").forEach(decorateLinked);

  document.querySelectorAll(".js-pick").forEach((el) => {
    // Without script the link opens the indicator's evidence page (link and upload); here it
    // opens the picker, and the drop zone below it uploads.
    if (text.pick) el.textContent = text.pick;
    el.setAttribute("aria-controls", "evidence-picker");
    el.setAttribute("aria-expanded", "false");
  });

  const picker = document.getElementById("evidence-picker");
  const pickerInput = picker && picker.querySelector("#picker-q");
  const pickerResults = picker && picker.querySelector("#picker-results");
  const pickerStatus = picker && picker.querySelector("#picker-status");
  const pickerMore = picker && picker.querySelector(".js-picker-more");
  const search = { answer: null, trigger: null, query: "", page: 1, timer: null, seq: 0 };

  function renderResults(data, append) {
    if (!append) pickerResults.textContent = "";
    const list = document.querySelector(`ul.linked-evidence[data-answer="${search.answer}"]`);
    for (const item of data.results) {
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = item.download_url;
      a.textContent = item.title;
      li.append(a);
      if (item.earlier_cycle) {
        const badge = document.createElement("span");
        badge.className = "badge-carried";
        badge.textContent = text.earlier || "earlier cycle";
        li.append(" ", badge);
      }
      const b = document.createElement("button");
      b.type = "button";
      b.className = "button secondary small js-picker-link";
      const linked = list && list.querySelector(`li[data-evidence="${item.id}"]`);
      b.textContent = linked ? text.linked || "Linked" : text.link || "Link";
      b.disabled = Boolean(linked);
      b.setAttribute("aria-label", `${b.textContent} ${item.title}`);
      b.addEventListener("click", () => {
        if (addLinked(search.answer, item, true)) {
          b.textContent = text.linked || "Linked";
          b.setAttribute("aria-label", `${b.textContent} ${item.title}`);
          b.disabled = true;
          pickerStatus.textContent = `${text.linked || "Linked"}: ${item.title}`;
          pickerInput.focus();
        }
      });
      li.append(" ", b);
      pickerResults.appendChild(li);
    }
    if (!append && !data.results.length) pickerStatus.textContent = text.none || "No evidence matches.";
    else pickerStatus.textContent = "";
    pickerMore.hidden = !data.has_next;
  }

  async function runSearch(append) {
    const seq = ++search.seq; // answers to older keystrokes are dropped
    const params = new URLSearchParams({ q: search.query, page: String(search.page) });
    try {
      const response = await fetch(`${config.search}?${params}`, {
        credentials: "same-origin", headers: { Accept: "application/json" },
      });
      if (!response.ok) throw new Error(String(response.status));
      const data = await response.json();
      if (seq === search.seq) renderResults(data, append);
    } catch (e) {
      if (seq === search.seq) pickerStatus.textContent = text.failed || "Could not search the evidence.";
    }
  }

  function openPicker(trigger) {
    search.answer = Number(trigger.dataset.answer);
    search.trigger = trigger;
    trigger.closest("p").after(picker);
    picker.hidden = false;
    trigger.setAttribute("aria-expanded", "true");
    pickerInput.value = "";
    search.query = "";
    search.page = 1;
    pickerResults.textContent = "";
    pickerInput.focus();
    runSearch(false);
  }

  function closePicker() {
    if (!picker || picker.hidden) return;
    picker.hidden = true;
    clearTimeout(search.timer);
    search.seq++;
    if (search.trigger) {
      search.trigger.setAttribute("aria-expanded", "false");
      search.trigger.focus();
    }
  }

  if (picker) {
    pickerInput.addEventListener("input", () => {
      clearTimeout(search.timer);
      search.timer = setTimeout(() => {
        search.query = pickerInput.value;
        search.page = 1;
        runSearch(false);
      }, 250);
    });
    pickerMore.addEventListener("click", () => { search.page++; runSearch(true); });
    picker.querySelector(".js-picker-close").addEventListener("click", closePicker);
    picker.addEventListener("keydown", (event) => {
      if (event.key === "Escape") { event.preventDefault(); closePicker(); }
    });
  }

  document.addEventListener("click", (event) => {
    const unlink = event.target.closest(".js-unlink");
    if (unlink) {
      const li = unlink.closest("li");
      const id = Number(li.closest("ul").dataset.answer);
      const article = li.closest("article");
      li.remove();
      markEvidenceDirty(id);
      // Focus stays in the indicator (on its "link evidence" button, or on the closed fold that
      // holds it: static/js/upload.js) rather than on the page.
      const next = article && article.querySelector(".js-pick");
      const fold = next && next.closest("details:not([open])");
      if (fold) fold.querySelector("summary").focus();
      else if (next) next.focus();
      return;
    }
    const showAll = event.target.closest(".js-show-all");
    if (showAll) {
      event.preventDefault(); // without script the link opens the indicator's evidence page
      loadAllLinked(Number(showAll.dataset.answer), showAll);
      return;
    }
    const pick = event.target.closest(".js-pick");
    if (pick && picker) {
      event.preventDefault(); // without script the link opens the indicator's evidence page
      if (!picker.hidden && search.trigger === pick) closePicker();
      else openPicker(pick);
    }
  });

  // An indicator's linked items, loaded when asked for (the page carries only their ids, issue 19):
  // the server's fragment of <li>s (evidence.views.answer_linked), from the network or, offline, from
  // the copy kept with the page (static/js/offline/device.js keeps every data-part of a kept page),
  // through static/js/fragments.js.
  const fragments = window.greenlistFragments;
  async function loadAllLinked(answerId, trigger) {
    const list = document.querySelector(`ul.linked-evidence[data-answer="${answerId}"]`);
    if (!list || !fragments || trigger.dataset.loading) return;
    trigger.dataset.loading = "1";
    const label = trigger.textContent;
    trigger.textContent = text.loading || "Loading…";
    list.setAttribute("aria-busy", "true");
    const holder = trigger.closest("p");
    let found;
    try {
      const fragment = fragments.parseFragment(await fragments.fetchFragment(trigger.dataset.part));
      found = Array.from(fragment.querySelectorAll("li[data-evidence]"));
    } catch (e) {
      delete trigger.dataset.loading;
      trigger.textContent = label;
      list.removeAttribute("aria-busy");
      fragments.showLoadError(holder, "js-linked-error", text.linkedFailed || "Could not load the linked evidence. Try again.");
      return;
    }
    // Only the ids the page was loaded with: one removed meanwhile stays removed.
    const pending = new Set((list.dataset.more || "").split(",").filter(Boolean).map(Number));
    const listed = new Set(Array.from(list.querySelectorAll("li[data-evidence]"), (li) => Number(li.dataset.evidence)));
    for (const li of found) {
      const id = Number(li.dataset.evidence);
      if (pending.has(id) && !listed.has(id)) { list.append(li); decorateLinked(li); }
    }
    delete list.dataset.more;
    list.removeAttribute("aria-busy");
    const first = list.querySelector("li[data-evidence] a");
    holder.remove();
    if (first) first.focus();
  }

  // upload.js tells us about files it uploaded (the server already linked them).
  document.addEventListener("evidence:uploaded", (event) => {
    addLinked(event.detail.answer, event.detail.item, false);
  });

  // Further pages of the evidence library are swapped in without reloading the page (and its
  // unsaved typing); without script the links open the library page itself.
  document.addEventListener("click", async (event) => {
    const link = event.target.closest(".js-library-pager a");
    if (!link) return;
    event.preventDefault();
    try {
      const response = await fetch(link.href, { credentials: "same-origin" });
      if (!response.ok) throw new Error(String(response.status));
      const doc = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = doc.getElementById("evidence-library");
      const current = document.getElementById("evidence-library");
      if (!fresh || !current) throw new Error("no library");
      current.replaceWith(document.adoptNode(fresh));
      const heading = document.getElementById("evidence-library-title");
      if (heading) heading.focus();
    } catch (e) {
      window.location.href = link.href;
    }
  });

  document.querySelectorAll(".js-only").forEach((el) => (el.hidden = false));
  window.addEventListener("online", () => {
    for (const st of states.values()) if (!st.queued && (st.retrying || st.dirty)) { st.retryMs = 0; schedule(st, 0); }
  });

  // --- the outbox's answers (static/js/offline/outbox.js) ---------------------------------------
  async function stillQueued(key) {
    return (await window.greenlistOutbox.list()).some((i) => i.key === key && (i.state === "pending" || i.state === "sending"));
  }
  function conflictOf(item) {
    const st = states.get(item.answer);
    if (!st || item.page !== location.pathname) return;
    st.queued = false;
    showConflict(st, item.current, item.message, item.json, () => window.greenlistOutbox.remove(item.id));
  }
  if (window.greenlistOutbox) {
    window.greenlistOutbox.register("answer", {
      sent: async (item, data) => {
        const st = states.get(item.answer);
        if (!st || item.page !== location.pathname) return;
        setVersion(st, data.version);
        st.queued = await stillQueued(item.key);
        if (!st.queued) clearErrors(st);
        const updated = st.form.querySelector(".js-updated");
        if (updated) updated.textContent = words.savedJustNow || "Saved just now";
        refreshStatus();
      },
      conflict: conflictOf,
      refused: (item) => {
        const st = states.get(item.answer);
        if (!st || item.page !== location.pathname) return;
        st.queued = false;
        showError(st, { detail: item.message, blocking: true });
        refreshStatus();
      },
    });
    // Changes left waiting by an earlier visit: this page shows them as waiting, or their conflict.
    window.greenlistOutbox.list().then((items) => {
      for (const item of items) {
        const st = item.kind === "answer" && item.page === location.pathname && states.get(item.answer);
        if (!st) continue;
        if (item.state === "conflict") conflictOf(item);
        else if (item.state === "refused") showError(st, { detail: item.message, blocking: true });
        else {
          st.queued = true;
          if (st.restoredDraft) continue; // the draft is newer still: it replaces this change
          // The page may be the copy kept offline: it shows what is waiting, not the older text.
          writeFields(st.form, item.json);
          st.version = item.json.version;
          st.form.dataset.version = String(item.json.version);
          st.form.elements.version.value = String(item.json.version);
          clearTimeout(st.timer);
          st.dirty = false;
        }
      }
      refreshProgress();
      refreshStatus();
      for (const st of restores) schedule(st, 0);
    });
  } else {
    for (const st of restores) schedule(st, 0);
  }
  window.addEventListener("beforeunload", (event) => {
    const pending = Array.from(states.values()).some((st) => st.dirty || st.inflight);
    if (pending) { event.preventDefault(); event.returnValue = ""; }
  });
  refreshProgress();
  refreshStatus();
  window.greenlistAutosave = { states, refreshStatus }; // for tests and debugging
})();
