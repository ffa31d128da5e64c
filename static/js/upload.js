// Evidence upload by drag and drop, the file chooser or the camera, one progress bar per file.
//
// Files go over tus (the resumable-upload protocol; tus-js-client, static/vendor/): a connection
// that drops mid-file continues from the bytes the server kept, and after a reload choosing the same
// file again continues it too (tus-js-client remembers each file's upload URL in localStorage).
// Browsers without what tus needs use one multipart XMLHttpRequest, as before. Without JavaScript
// the same form posts to the server as a plain multipart form.
//
// Evidence captured offline (issue 17): files chosen while the browser is offline, or whose upload
// the network cut for good, wait in IndexedDB ("greenlist-uploads", through idb-keyval) with what the
// form said, when they were taken and where the device was (when the person allows it). They survive
// closing the browser and go, through tus, when the network returns ("online") or on "Send now".
// They are listed in the page's outbox (offline/_controls.html) under the answers waiting there, and
// their number is announced as an "offline:uploads-pending" event ({count, refused}) for its count and
// the save status. A file the server refused is listed apart, with its reason: it no longer waits.
//
// Each indicator's drop zone is folded ("Add or link evidence", closed): fifty open ones made the page
// some 80,000 px long on a phone. It opens by itself where files of that indicator wait or were refused.
(function () {
  "use strict";
  // Words through Django's JavaScript catalogue (jsi18n, loaded first by base.html); English without it.
  // Called by these names so that makemessages -d djangojs finds the strings.
  const gettext = window.gettext || ((s) => s);
  const ngettext = window.ngettext || ((one, many, n) => (n === 1 ? one : many));
  const interpolate = window.interpolate || ((s, named) => s.replace(/%\((\w+)\)s/g, (_m, k) => named[k]));
  const configEl = document.getElementById("assessment-config");
  if (!configEl) return;
  const config = JSON.parse(configEl.textContent);
  const tus = window.tus && window.tus.isSupported ? window.tus : null;
  const endpoint = `${config.api}evidence/uploads/`;
  // Pieces of 8 MB: a proxy that buffers request bodies (nginx does by default) passes nothing of a
  // cut request on, so what a drop can lose is at most the piece under way.
  const CHUNK_SIZE = 8 * 1024 * 1024;
  const RETRY_DELAYS = [0, 1000, 3000, 5000, 10000, 20000];
  // A folder of hundreds of photos goes a few files at a time, not as hundreds of requests at once.
  const MAX_PARALLEL = 3;
  const idb = window.idbKeyval;
  const store = idb ? idb.createStore("greenlist-uploads", "queue") : null;

  function csrfToken() {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // --- one row per file: name, progress bar, state --------------------------------------------------

  function row(list, name) {
    const li = document.createElement("li");
    const label = document.createElement("span");
    label.className = "upload-name";
    label.textContent = name;
    const bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", interpolate(gettext("Upload of %(name)s"), { name: name }, true));
    const state = document.createElement("span");
    state.className = "upload-state";
    state.textContent = gettext("Waiting…");
    li.append(label, " ", bar, " ", state);
    list.appendChild(li);
    return {
      progress(loaded, total) {
        const pct = total ? Math.round((100 * loaded) / total) : 0;
        bar.value = pct;
        state.textContent = `${pct}%`;
      },
      done() {
        bar.value = 100;
        state.textContent = gettext("Uploaded");
        li.classList.add("done");
      },
      failed(text) {
        li.classList.add("failed");
        state.textContent = text;
      },
      remove() {
        li.remove();
      },
      queued() {
        li.classList.add("queued");
        state.textContent = gettext("Not yet sent: it goes when the network returns.");
      },
    };
  }

  // `refused`: said of a file that waited on the device, which is kept (not failed) until removed.
  function reason(status, body, refused) {
    const said = body && body.errors && body.errors.file ? body.errors.file.join(" ") : null;
    if (said) return interpolate(refused ? gettext("Refused: %(reason)s") : gettext("Failed: %(reason)s"), { reason: said }, true);
    // 404: the assessment (or the upload) is not there for this person any more, typically after their
    // role on the site ended while the file waited; the server's "Not found." would say too little.
    if (status === 404) return gettext("Refused: this assessment is no longer open to you (your role on its site may have ended).");
    if (body && body.detail) {
      return interpolate(refused ? gettext("Refused: %(reason)s") : gettext("Failed: %(reason)s"), { reason: body.detail }, true);
    }
    if (refused) return interpolate(gettext("Refused by the server (error %(status)s)."), { status: status }, true);
    return interpolate(gettext("Failed (error %(status)s)"), { status: status }, true);
  }

  // What the form says about the file, the same fields for tus and multipart (`number`: the
  // indicator's, for the outbox's list).
  function fieldsOf(form) {
    const article = form.closest("article");
    return {
      answer: form.dataset.answer,
      indicator: form.dataset.indicator,
      number: article ? article.dataset.number : "",
      sensitivity: form.elements.sensitivity.value,
      evidence_date: form.elements.evidence_date.value || "",
      // A multi-site application's site the file is about (issue 16); none: the whole application.
      site: form.elements.site && form.elements.site.value ? form.elements.site.value : "",
    };
  }

  function announce(answer, item) {
    document.dispatchEvent(new CustomEvent("evidence:uploaded", { detail: { answer: Number(answer), item: item } }));
  }

  // --- tus -----------------------------------------------------------------------------------------

  function sendTus(file, fields, capture, ui, target) {
    return new Promise((resolve, reject) => {
      const metadata = {
        filename: file.name || "photo.jpg",
        filetype: file.type || "",
        indicators: String(fields.indicator || ""),
        sensitivity: fields.sensitivity,
        evidence_date: fields.evidence_date,
        site: fields.site,
        captured_at: capture.captured_at,
      };
      if (capture.latitude != null) {
        metadata.latitude = String(capture.latitude);
        metadata.longitude = String(capture.longitude);
      }
      Object.keys(metadata).forEach((k) => { if (!metadata[k]) delete metadata[k]; });
      const upload = new tus.Upload(file, {
        endpoint: target || endpoint,
        chunkSize: CHUNK_SIZE,
        retryDelays: RETRY_DELAYS,
        metadata: metadata,
        headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
        // Kept after success: choosing the same folder again (another sitting) skips the files that
        // already arrived, while the server keeps their uploads (EVIDENCE_UPLOAD_EXPIRY_HOURS). The
        // indicator is part of the file's identity: the same photo for another indicator is sent again.
        fingerprint: (f, options) =>
          Promise.resolve(["greenlist", f.name, f.type, f.size, f.lastModified, options.endpoint, fields.indicator].join("-")),
        onProgress: (loaded, total) => ui.progress(loaded, total),
        onSuccess: (payload) => {
          const response = payload && payload.lastResponse;
          const id = response ? response.getHeader("Evidence-Id") : null;
          // The upload's JSON names the evidence item (with its indicators) for the page's list.
          fetch(upload.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
            .then((r) => (r.ok ? r.json() : null))
            .then((body) => {
              if (!id && !(body && body.evidence)) {
                ui.failed(gettext("Failed: the server kept the file but did not add it as evidence."));
                reject(new Error("no evidence"));
                return;
              }
              ui.done();
              if (body && body.evidence && !target) announce(fields.answer, body.evidence);
              resolve();
            })
            .catch(() => { ui.done(); resolve(); });
        },
        onError: (error) => reject(error),
      });
      upload.findPreviousUploads().then((previous) => {
        if (previous.length) upload.resumeFromPreviousUpload(previous[0]);
        upload.start();
      });
    });
  }

  function tusRefusal(error, queued) {
    // An answer from the server (403 revoked, 413 too large, 400 a type it does not take…) is final; no
    // answer is the network. For a file that waited on the device, 429 (the day's quota) and 5xx (a
    // server struggling) say "later", as for the answers' outbox (static/js/offline/outbox.js): it keeps
    // waiting. A file chosen just now shows them: the person is there to choose it again.
    const response = error && error.originalResponse;
    if (!response) return null;
    const status = response.getStatus();
    if (queued && (status === 429 || status >= 500)) return null;
    let body = null;
    try { body = JSON.parse(response.getBody()); } catch (e) { /* not JSON */ }
    return reason(status, body, queued);
  }

  // --- multipart, where tus cannot run --------------------------------------------------------------

  function sendMultipart(file, fields, ui) {
    return new Promise((resolve) => {
      const data = new FormData();
      data.append("file", file);
      data.append("indicators", fields.indicator);
      data.append("sensitivity", fields.sensitivity);
      if (fields.evidence_date) data.append("evidence_date", fields.evidence_date);
      if (fields.site) data.append("site", fields.site);
      const xhr = new XMLHttpRequest();
      xhr.open("POST", `${config.api}evidence/`);
      xhr.setRequestHeader("X-CSRFToken", csrfToken());
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.addEventListener("progress", (event) => {
        if (event.lengthComputable) ui.progress(event.loaded, event.total);
      });
      xhr.addEventListener("load", () => {
        let body = null;
        try { body = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
        if (xhr.status === 201 && body) {
          ui.done();
          announce(fields.answer, body);
        } else {
          ui.failed(reason(xhr.status, body));
        }
      });
      xhr.addEventListener("error", () => {
        ui.failed(gettext("Failed: the connection dropped. Choose the file again to retry."));
      });
      xhr.addEventListener("loadend", () => resolve());
      xhr.send(data);
    });
  }

  // --- where and when: the device's word ------------------------------------------------------------

  function position(ask) {
    // Only asked for photos and files kept for later: a document chosen online needs no position.
    if (!ask || !navigator.geolocation) return Promise.resolve(null);
    return new Promise((resolve) => {
      navigator.geolocation.getCurrentPosition(
        (p) => resolve({ latitude: p.coords.latitude, longitude: p.coords.longitude }),
        () => resolve(null), // refused or unavailable: the file goes without a position
        { timeout: 5000, maximumAge: 600000 }
      );
    });
  }

  function captureOf(file, where) {
    const when = file.lastModified ? new Date(file.lastModified) : new Date();
    return {
      captured_at: when.toISOString(),
      latitude: where ? where.latitude : null,
      longitude: where ? where.longitude : null,
    };
  }

  // --- the outbox: files waiting in IndexedDB -------------------------------------------------------

  // Shown in the page's outbox (offline/_controls.html), below the answers waiting there: one count
  // and one "Send now" for all the device holds. A list of its own at the top of the page said the
  // same thing a second time, unstyled.
  const pageOutbox = document.querySelector(".js-outbox");
  const outbox = document.createElement("div");
  outbox.className = "upload-outbox";
  // The files on their way, one progress bar each.
  const outboxList = document.createElement("ul");
  outboxList.className = "upload-list";
  const waitingList = document.createElement("ul");
  waitingList.className = "outbox-items upload-waiting";
  // Files the server refused for good (too large, a type it does not take, the person left the site
  // team): not waiting any more, and not sent again; kept on the device with the reason until the
  // person removes them, so nothing is lost.
  const refusedList = document.createElement("ul");
  refusedList.className = "outbox-items upload-refused";
  outbox.append(outboxList, waitingList, refusedList);
  const main = document.getElementById("main");
  if (pageOutbox) pageOutbox.append(outbox);
  else if (main) main.prepend(outbox);
  const sendingKeys = new Set(); // shown by their progress bar, not in the list of waiting files

  // Every waiting file, of any assessment: each remembers its own upload address.
  async function waiting() {
    return store ? idb.entries(store) : [];
  }

  function itemOf(key, entry) {
    const li = document.createElement("li");
    li.dataset.state = entry.refused ? "refused" : "pending";
    const name = document.createElement("strong");
    name.className = "upload-name";
    name.textContent = entry.file.name || gettext("Photo");
    li.append(name);
    if (entry.fields && entry.fields.number && entry.endpoint === endpoint) {
      const where = document.createElement("a");
      where.href = `#answer-${entry.fields.answer}`;
      where.textContent = `${gettext("Indicator")} ${entry.fields.number}`;
      li.append(" ", where);
    }
    if (entry.refused) {
      const why = document.createElement("p");
      why.className = "field-error";
      why.textContent = entry.refused;
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "button secondary small";
      remove.textContent = gettext("Remove from this device");
      remove.addEventListener("click", async () => { await idb.del(key, store); refreshCount(); });
      li.append(why, remove);
    }
    return li;
  }

  async function refreshCount() {
    const entries = await waiting();
    const refused = entries.filter(([, entry]) => entry.refused);
    const count = entries.length - refused.length;
    waitingList.replaceChildren(
      ...entries.filter(([key, entry]) => !entry.refused && !sendingKeys.has(key)).map(([key, entry]) => itemOf(key, entry))
    );
    refusedList.replaceChildren(...refused.map(([key, entry]) => itemOf(key, entry)));
    document.dispatchEvent(new CustomEvent("offline:uploads-pending", { detail: { count: count, refused: refused.length } }));
    if (pageOutbox && !window.greenlistOutbox) {
      // Without the answers' outbox (a browser without service workers), the files are all it holds.
      pageOutbox.querySelector(".js-outbox-count").textContent = count
        ? interpolate(ngettext("Not yet sent (%(n)s)", "Not yet sent (%(n)s)", count), { n: count }, true)
        : gettext("Nothing left to send");
      pageOutbox.dataset.state = count ? "waiting" : "sent";
      pageOutbox.hidden = !entries.length;
    }
    return entries;
  }

  async function keep(file, fields, capture) {
    const key = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
    await idb.set(key, { endpoint: endpoint, file: file, fields: fields, capture: capture, queued_at: Date.now() }, store);
    await refreshCount();
  }

  let sending = false;

  async function sendWaiting() {
    if (sending || !tus || !navigator.onLine) return;
    sending = true;
    try {
      for (const [key, entry] of await waiting()) {
        if (entry.refused) continue; // said once; sent again only if the person chooses the file again
        sendingKeys.add(key);
        await refreshCount();
        const ui = row(outboxList, entry.file.name || gettext("Photo"));
        try {
          // The evidence list of this page gets the file only when it is this assessment's.
          await sendTus(entry.file, entry.fields, entry.capture, ui, entry.endpoint === endpoint ? null : entry.endpoint);
          await idb.del(key, store);
        } catch (error) {
          ui.remove(); // listed again, as waiting or as refused
          const refusal = tusRefusal(error, true);
          if (refusal) {
            // Refused for good (a revoked person, a frozen assessment, too large): said, kept, not retried.
            await idb.set(key, Object.assign({}, entry, { refused: refusal }), store);
          } else {
            break; // the network went again (or the server asks for later): the rest wait for it too
          }
        } finally {
          sendingKeys.delete(key);
        }
        await refreshCount();
      }
    } finally {
      sending = false;
      await refreshCount();
    }
  }

  // The page outbox's "Send now" (.js-outbox-send) sends the files too.
  document.addEventListener("click", (event) => {
    if (event.target.closest(".js-outbox-send")) sendWaiting();
  });
  window.addEventListener("online", () => sendWaiting());

  // --- choosing files ---------------------------------------------------------------------------------

  async function uploadOne(fields, file, fromCamera, ui) {
    if (!tus) {
      await sendMultipart(file, fields, ui);
      return;
    }
    const offline = !navigator.onLine;
    const capture = captureOf(file, await position(fromCamera || offline));
    if (offline && store) {
      await keep(file, fields, capture);
      ui.queued();
      return;
    }
    try {
      await sendTus(file, fields, capture, ui);
    } catch (error) {
      const refusal = tusRefusal(error);
      if (refusal || !store) {
        ui.failed(refusal || gettext("Failed: the connection dropped. Choose the file again to retry."));
      } else {
        // The network is gone for longer than the retries: kept, and sent when it returns.
        await keep(file, fields, capture);
        ui.queued();
      }
    }
  }

  let active = 0;
  const later = [];

  function pump() {
    while (active < MAX_PARALLEL && later.length) {
      const task = later.shift();
      active += 1;
      task().catch(() => {}).finally(() => {
        active -= 1;
        pump();
      });
    }
  }

  function uploadAll(form, files, fromCamera) {
    const fields = fieldsOf(form);
    Array.from(files).forEach((file) => {
      const ui = row(form.querySelector(".upload-list"), file.name || gettext("Photo"));
      later.push(() => uploadOne(fields, file, fromCamera, ui));
    });
    pump();
  }

  // One drop zone in a <template>, cloned under each indicator (50 server-rendered copies made
  // the page heavy), folded with the indicator's "link evidence" button in a closed <details>.
  // Without script, each indicator links to its evidence page instead (link and upload).
  const template = document.getElementById("upload-template");
  if (template) {
    document.querySelectorAll(".js-evidence-actions").forEach((anchor) => {
      const block = template.content.cloneNode(true);
      const fold = block.querySelector("details");
      const form = block.querySelector("form");
      const id = anchor.dataset.answer;
      form.dataset.answer = id;
      form.dataset.indicator = anchor.dataset.indicator;
      form.elements.indicator.value = anchor.dataset.indicator;
      block.querySelectorAll("[data-id]").forEach((el) => { el.id = `${el.dataset.id}-${id}`; });
      block.querySelectorAll("label[data-for]").forEach((el) => { el.htmlFor = `${el.dataset.for}-${id}`; });
      anchor.after(block);
      form.before(anchor);
      // A file dragged over the closed fold opens it, to be dropped on the zone inside.
      fold.addEventListener("dragenter", () => { fold.open = true; });
    });
  }

  // Opened where this assessment's files wait or were refused, so that the person finds them.
  function openFoldsOf(entries) {
    entries.forEach(([, entry]) => {
      if (entry.endpoint !== endpoint || !entry.fields) return;
      const form = document.querySelector(`form.js-upload[data-answer="${entry.fields.answer}"]`);
      const fold = form && form.closest("details");
      if (fold) fold.open = true;
    });
  }

  document.querySelectorAll(".js-upload").forEach((form) => {
    const button = form.querySelector(".js-upload-button");
    if (button) button.hidden = true; // files upload as soon as they are chosen or dropped
    form.querySelectorAll("input[type=file]").forEach((input) => {
      const camera = input.hasAttribute("capture");
      if (camera) input.closest(".js-camera").hidden = false; // a photo needs this script
      input.addEventListener("change", () => {
        if (input.files.length) uploadAll(form, input.files, camera);
        input.value = "";
      });
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const input = form.querySelector("input[type=file][name=file]");
      if (input.files.length) uploadAll(form, input.files, false);
    });
    ["dragenter", "dragover"].forEach((type) =>
      form.addEventListener(type, (event) => {
        event.preventDefault();
        form.classList.add("dragging");
      })
    );
    ["dragleave", "drop"].forEach((type) =>
      form.addEventListener(type, () => form.classList.remove("dragging"))
    );
    form.addEventListener("drop", (event) => {
      event.preventDefault();
      if (event.dataTransfer && event.dataTransfer.files.length) uploadAll(form, event.dataTransfer.files, false);
    });
  });

  refreshCount().then((entries) => {
    openFoldsOf(entries);
    sendWaiting();
  });
})();
