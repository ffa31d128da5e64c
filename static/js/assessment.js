// Autosave for the self-assessment page (no inline script: strict CSP).
//
// Every change is written to localStorage at once (closing the tab loses nothing), then saved
// through the JSON API after a short pause. A save names the answer version it started from; the
// server answers 409 when someone else saved in between, and both texts are shown. Network
// failures are retried with back-off, and again as soon as the browser is back online.
(function () {
  "use strict";
  const configEl = document.getElementById("assessment-config");
  if (!configEl) return;
  const config = JSON.parse(configEl.textContent);
  const statusEl = document.getElementById("save-status");
  const DEBOUNCE_MS = 800;
  const FIELDS = ["rating", "justification", "evidence_date", "action_text", "action_owner", "action_due"];
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
  }

  function linkedIds(id) {
    const list = document.querySelector(`ul.linked-evidence[data-answer="${id}"]`);
    return Array.from(list ? list.querySelectorAll("li[data-evidence]") : []).map((li) => Number(li.dataset.evidence));
  }

  function setVersion(st, version) {
    st.version = version;
    st.form.dataset.version = String(version);
    st.form.elements.version.value = String(version);
  }

  // --- the page-wide status line -------------------------------------------------------------
  function refreshStatus() {
    if (!statusEl) return;
    let saving = 0, retrying = 0, failed = null, dirty = 0;
    for (const st of states.values()) {
      if (st.inflight) saving++;
      if (st.retrying) retrying++;
      if (st.error && !failed) failed = st;
      if (st.dirty) dirty++;
    }
    let state, text;
    if (failed) {
      state = "error";
      text = `Not saved — see indicator ${failed.form.closest("article").dataset.number}`;
    } else if (retrying) {
      state = "retrying";
      text = "Not saved — retrying…";
    } else if (saving || dirty) {
      state = "saving";
      text = "Saving…";
    } else {
      state = "saved";
      text = "All changes saved";
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
  }

  // --- errors and conflicts beside the fields -------------------------------------------------
  function clearErrors(st) {
    st.form.querySelectorAll("[data-error-for]").forEach((el) => (el.textContent = ""));
    st.form.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
    st.error = null;
  }

  function showError(st, body) {
    st.error = body;
    const slot = st.form.querySelector(`[data-error-for="${body.field || ""}"]`);
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
      return opt ? opt.textContent : code || "not rated";
    };
    parts.push(`Rating: ${label(current.rating)}`);
    parts.push(`Justification: ${current.justification || "(empty)"}`);
    if (current.action_text) parts.push(`Action: ${current.action_text}`);
    return parts.join("\n");
  }

  function showConflict(st, current, message) {
    st.error = { detail: message };
    const box = document.createElement("div");
    const p = document.createElement("p");
    p.textContent = message;
    const pre = document.createElement("blockquote");
    pre.className = "theirs";
    pre.textContent = describe(current);
    box.append(p, pre);
    showConflictBox(st, box.innerHTML, [
      ["Keep my text", () => { setVersion(st, current.version); st.error = null; schedule(st, 0); }],
      ["Use their text", () => {
        writeFields(st.form, current);
        setVersion(st, current.version);
        localStorage.removeItem(draftKey(st.id));
        st.dirty = false;
        st.error = null;
        refreshProgress();
        refreshStatus();
      }],
    ]);
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

  async function save(st) {
    if (st.inflight) { st.again = true; return; }
    if (st.error && st.error.blocking) return;
    st.inflight = true;
    st.again = false;
    const sent = readFields(st.form);
    const body = Object.assign({ version: st.version }, sent);
    if (st.evidenceDirty) body.evidence = linkedIds(st.id);
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
      if (updated) updated.textContent = `Saved (version ${data.version})`;
    } else if (response.status === 409 && data && data.code === "answer_changed") {
      showConflict(st, data.current, data.detail);
    } else if (response.status === 409) {
      st.error = { detail: data ? data.detail : "Not saved.", blocking: true };
      showError(st, st.error);
    } else {
      showError(st, data || { detail: `Not saved (error ${response.status}).` });
    }
    refreshStatus();
  }

  // --- wiring ---------------------------------------------------------------------------------
  document.querySelectorAll(".js-answer-form").forEach((form) => {
    const id = Number(form.dataset.answer);
    const st = { id, form, version: Number(form.dataset.version), dirty: false, evidenceDirty: false };
    states.set(id, st);
    const onChange = (event) => {
      if (event.target.name === "version" || !FIELDS.includes(event.target.name)) return;
      if (st.error && !st.error.blocking) clearErrors(st);
      storeDraft(st);
      if (event.target.name === "rating") refreshProgress();
      schedule(st);
    };
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
          schedule(st, 0);
        } else {
          const mine = { version: st.version, ...draft.fields };
          showConflictBox(st, "", [
            ["Restore my unsaved text", () => { writeFields(form, draft.fields); refreshProgress(); schedule(st, 0); }],
            ["Discard it", () => localStorage.removeItem(draftKey(id))],
          ]);
          const box = form.querySelector(".js-conflict");
          const p = document.createElement("p");
          p.textContent = "You have text from an earlier visit that was not saved, and the indicator has changed since:";
          const q = document.createElement("blockquote");
          q.className = "theirs";
          q.textContent = describe(mine);
          box.prepend(p, q);
        }
      }
    }
  });

  // Evidence links: remove, or link an item already uploaded (chosen from the datalist).
  document.addEventListener("click", (event) => {
    const unlink = event.target.closest(".js-unlink");
    if (unlink) {
      const li = unlink.closest("li");
      const id = Number(li.closest("ul").dataset.answer);
      li.remove();
      const st = states.get(id);
      st.evidenceDirty = true;
      storeDraft(st);
      schedule(st, 0);
      return;
    }
    const link = event.target.closest(".js-link");
    if (link) {
      const article = link.closest("article");
      const input = article.querySelector(".js-link-input");
      const match = /\(#(\d+)\)\s*$/.exec(input.value);
      if (!match) { input.setAttribute("aria-invalid", "true"); return; }
      input.removeAttribute("aria-invalid");
      const title = input.value.replace(/\s*\(#\d+\)\s*$/, "");
      addLinked(Number(article.dataset.answer), { id: Number(match[1]), title }, true);
      input.value = "";
    }
  });

  function addLinked(answerId, item, markDirty) {
    const list = document.querySelector(`ul.linked-evidence[data-answer="${answerId}"]`);
    if (!list || list.querySelector(`li[data-evidence="${item.id}"]`)) return;
    const li = document.createElement("li");
    li.dataset.evidence = String(item.id);
    const a = document.createElement("a");
    a.href = item.download_url || `/assessments/evidence/${item.id}/file/`;
    a.textContent = item.title;
    const b = document.createElement("button");
    b.type = "button";
    b.className = "link-like js-unlink";
    b.textContent = "remove";
    b.setAttribute("aria-label", `Remove the link to ${item.title}`);
    li.append(a, " ", b);
    list.appendChild(li);
    if (markDirty) {
      const st = states.get(answerId);
      st.evidenceDirty = true;
      storeDraft(st);
      schedule(st, 0);
    }
  }

  // upload.js tells us about files it uploaded (the server already linked them).
  document.addEventListener("evidence:uploaded", (event) => {
    addLinked(event.detail.answer, event.detail.item, false);
    const options = document.getElementById("evidence-options");
    if (options) {
      const opt = document.createElement("option");
      opt.value = `${event.detail.item.title} (#${event.detail.item.id})`;
      options.appendChild(opt);
    }
  });

  document.querySelectorAll(".js-only").forEach((el) => (el.hidden = false));
  window.addEventListener("online", () => {
    for (const st of states.values()) if (st.retrying || st.dirty) { st.retryMs = 0; schedule(st, 0); }
  });
  window.addEventListener("beforeunload", (event) => {
    const pending = Array.from(states.values()).some((st) => st.dirty || st.inflight);
    if (pending) { event.preventDefault(); event.returnValue = ""; }
  });
  refreshProgress();
  refreshStatus();
  window.greenlistAutosave = { states, refreshStatus }; // for tests and debugging
})();
