/* Review page: filters (unmet / disagreeing / not yet reviewed / changed) and keyboard navigation
   between indicators (j or ArrowDown: next, k or ArrowUp: previous). Works on the server-rendered
   page; without JavaScript every indicator is simply shown. */
(function () {
  "use strict";
  var rows = Array.prototype.slice.call(document.querySelectorAll(".review-row"));
  if (!rows.length) { return; }
  var index = Array.prototype.slice.call(document.querySelectorAll(".review-index li"));
  var current = -1;

  function matches(row, filter) {
    switch (filter) {
      case "unmet": return row.dataset.unmet === "1";
      case "disagree": return row.dataset.disagree === "1";
      case "unreviewed": return row.dataset.reviewed !== "1";
      case "changed": return row.dataset.changed === "1";
      default: return true;
    }
  }

  function applyFilter(filter) {
    rows.forEach(function (row) {
      var show = matches(row, filter);
      row.hidden = !show;
      index.forEach(function (li) { if (li.dataset.target === row.id) { li.hidden = !show; } });
    });
    try { sessionStorage.setItem("review-filter", filter); } catch (e) { /* private mode */ }
  }

  function visibleRows() { return rows.filter(function (r) { return !r.hidden; }); }

  function focusRow(row) {
    rows.forEach(function (r) { r.classList.remove("is-current"); });
    row.classList.add("is-current");
    row.focus({ preventScroll: true });
    row.scrollIntoView({ block: "start", behavior: "auto" });
    if (history.replaceState) { history.replaceState(null, "", "#" + row.id); }
    current = rows.indexOf(row);
  }

  function step(delta) {
    var shown = visibleRows();
    if (!shown.length) { return; }
    var pos = shown.indexOf(rows[current]);
    var next = pos === -1 ? (delta > 0 ? 0 : shown.length - 1) : Math.min(Math.max(pos + delta, 0), shown.length - 1);
    focusRow(shown[next]);
  }

  var filters = document.getElementById("review-filters");
  if (filters) {
    filters.addEventListener("change", function (ev) {
      if (ev.target.name === "filter") { applyFilter(ev.target.value); }
    });
    var saved = null;
    try { saved = sessionStorage.getItem("review-filter"); } catch (e) { saved = null; }
    var radio = saved && filters.querySelector('input[value="' + saved + '"]');
    if (radio) { radio.checked = true; applyFilter(saved); }
  }

  document.addEventListener("keydown", function (ev) {
    if (ev.altKey || ev.ctrlKey || ev.metaKey) { return; }
    var tag = (ev.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select" || ev.target.isContentEditable) { return; }
    if (ev.key === "j" || ev.key === "ArrowDown") { ev.preventDefault(); step(1); }
    else if (ev.key === "k" || ev.key === "ArrowUp") { ev.preventDefault(); step(-1); }
  });

  // Saves without reloading the page: a form inside an indicator posts with fetch; the page the
  // server answers (after its redirect, or its refusal with what was typed) gives the indicator's new
  // row, which replaces this one, with its message. Without script the form posts as it always did.
  // Without a network the form's fields wait in the outbox (static/js/offline/outbox.js), sent in
  // order once the network is back, and the row is replaced then (issue 17).
  var gettext = window.gettext || function (s) { return s; };

  // --- an indicator's details (evidence list, questions thread), loaded when it is opened ---------
  // The page ships them closed (issue 19): the <details> of each indicator names the fragment to load
  // in data-part, and holds a link to the indicator's own page (the way without script). The fragment
  // comes from the network, or offline from the device's copy (static/js/offline/device.js keeps every
  // fragment of a kept page; the service worker answers from it).
  var interpolate = window.interpolate || function (fmt, obj) { return fmt.replace(/%\((\w+)\)s/g, function (_m, k) { return obj[k]; }); };
  var detailsStatus = document.getElementById("details-status");
  var fragments = window.greenlistFragments;  // static/js/fragments.js: the request and its error note

  function say(text) { if (detailsStatus) { detailsStatus.textContent = text; } }

  function numberOf(details) {
    var row = details.closest(".review-row");
    var num = row && row.querySelector(".row-head .num");
    return num ? num.textContent : "";
  }

  function loadDetails(details) {
    var body = details.querySelector(".js-details-body");
    if (!body || details.dataset.loaded === "1" || details.dataset.loading === "1" || !window.fetch || !fragments) { return; }
    var number = numberOf(details);
    details.dataset.loading = "1";
    body.setAttribute("aria-busy", "true");
    say(interpolate(gettext("Loading the evidence and questions of indicator %(number)s…"), { number: number }, true));
    fragments.fetchFragment(details.dataset.part, function (response) {
      if (window.greenlistDevice && window.greenlistDevice.keepPart) {
        window.greenlistDevice.keepPart(location.pathname, details.dataset.part, response.clone());
      }
    })
      .then(function (html) {
        body.innerHTML = html;  // the server's fragment, every value escaped by its template
        details.dataset.loaded = "1";
        say(interpolate(gettext("Evidence and questions of indicator %(number)s loaded."), { number: number }, true));
      })
      .catch(function () {
        var note = fragments.showLoadError(body, "js-details-error",
          gettext("Could not load the evidence and questions of this indicator.") + " ", { tag: "p", prepend: true });
        var retry = document.createElement("button");
        retry.type = "button";
        retry.className = "button secondary small js-details-retry";
        retry.textContent = gettext("Retry");
        note.appendChild(retry);
        say("");
      })
      .then(function () {
        delete details.dataset.loading;
        body.removeAttribute("aria-busy");
      });
  }

  // "toggle" does not bubble: listened to while it goes down (capture), for rows drawn anew too.
  document.addEventListener("toggle", function (ev) {
    var details = ev.target;
    if (details.classList && details.classList.contains("js-row-details") && details.open) { loadDetails(details); }
  }, true);
  document.addEventListener("click", function (ev) {
    var retry = ev.target.closest ? ev.target.closest(".js-details-retry") : null;
    if (!retry) { return; }
    var details = retry.closest(".js-row-details");
    var summary = details.querySelector("summary");
    if (summary) { summary.focus(); }  // the button goes with the message; focus stays on the indicator's details
    loadDetails(details);
  });
  // Opened already (a link to the indicator, or the browser restoring the page): load them now.
  document.querySelectorAll(".js-row-details[open]").forEach(loadDetails);

  // A row drawn anew after a save keeps the details the person had opened: from the answer when it
  // has them (the indicator's own page, after a question or a reply), else those already loaded.
  function keepDetails(row, fresh) {
    var before = row.querySelector(".js-row-details");
    var after = fresh.querySelector(".js-row-details");
    if (!before || !after || !before.open) { return; }
    if (after.dataset.loaded !== "1" && before.dataset.loaded === "1") {
      after.replaceChild(before.querySelector(".js-details-body"), after.querySelector(".js-details-body"));
      after.dataset.loaded = "1";
    }
    after.open = true;
  }

  // The header's counts (reviewed, disagreeing, unmet, open questions, changed), counted again once a
  // row is drawn anew: each <strong data-count="x"> is the sum of the rows' data-x ("1"/"0", or the
  // row's open questions), as the server counted them (reviews.review_page). The words after a count
  // that agree with it (<span data-words="x">: "1 open question", "2 questions ouvertes") are written
  // again with the template's own messages, through the catalogue's plural rule (French says "0
  // question ouverte": not a choice between n === 1 and the rest).
  var ngettext = window.ngettext || function (one, many, n) { return n === 1 ? one : many; };
  var npgettext = window.npgettext || function (_context, one, many, n) { return n === 1 ? one : many; };
  var countWords = {
    unmet: function (n) { return npgettext("review page count", "unmet", "unmet", n); },
    open: function (n) { return ngettext("open question", "open questions", n); },
    answered: function (n) { return npgettext("review page count", "answered by the site, to close", "answered by the site, to close", n); },
    changed: function (n) { return npgettext("review page count", "changed since sent back", "changed since sent back", n); },
  };

  function recount() {
    document.querySelectorAll(".review-counts [data-count]").forEach(function (el) {
      var key = el.dataset.count;
      var total = rows.reduce(function (n, r) { return n + (parseInt(r.dataset[key], 10) || 0); }, 0);
      el.textContent = total;
      var words = el.parentNode.querySelector('[data-words="' + key + '"]');
      if (words && countWords[key]) { words.textContent = countWords[key](total); }
      if (el.parentNode.hasAttribute("data-hide-zero")) { el.parentNode.hidden = total === 0; }
    });
  }

  function applyAnswer(row, html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var fresh = doc.getElementById(row.id);
    if (!fresh) { throw new Error("no row"); }
    keepDetails(row, fresh);
    doc.querySelectorAll(".messages [data-near]").forEach(function (message) {
      var target = message.dataset.near === fresh.id ? fresh : fresh.querySelector("#" + message.dataset.near);
      if (target) { message.setAttribute("role", "status"); message.classList.add("message-near"); target.prepend(message); }
    });
    fresh.hidden = row.hidden;
    var at = rows.indexOf(row);
    row.replaceWith(fresh);
    if (at !== -1) { rows[at] = fresh; }
    var item = doc.querySelector('.review-index li[data-target="' + fresh.id + '"]');
    var old = document.querySelector('.review-index li[data-target="' + fresh.id + '"]');
    if (item && old) { item.hidden = old.hidden; old.replaceWith(item); index[index.indexOf(old)] = item; }
    recount();
    return fresh;
  }

  function noteIn(form, text, role) {
    var note = form.querySelector(".js-form-note") || document.createElement("p");
    note.className = (role === "alert" ? "field-error" : "notice small") + " js-form-note";
    note.setAttribute("role", role);
    note.textContent = text;
    form.appendChild(note);
  }

  // Only text fields wait offline (a question's reply with a file goes through the uploads' own queue).
  function keepOffline(form, row) {
    if (!window.greenlistOutbox || (form.enctype || "").indexOf("multipart") !== -1) { return false; }
    var fields = [];
    new FormData(form).forEach(function (value, name) { if (typeof value === "string") { fields.push([name, value]); } });
    var title = row.querySelector(".row-head .num");
    window.greenlistOutbox.queue({
      key: "form:" + form.action, kind: "review-form", url: form.action, method: "POST", form: fields,
      label: (title ? title.textContent + " · " : "") + (form.querySelector("[type=submit]") || {}).textContent,
      row: row.id,
      summary: Array.prototype.map.call(form.querySelectorAll("select, textarea"), function (el) {
        return el.tagName === "SELECT" ? (el.selectedIndex > 0 ? el.options[el.selectedIndex].textContent : "") : el.value;
      }).filter(Boolean).join(" · "),
    });
    noteIn(form, gettext("No network: kept on this device, sent when the network is back."), "status");
    return true;
  }

  if (window.greenlistOutbox) {
    window.greenlistOutbox.register("review-form", {
      sent: function (item, data, response) {
        var row = document.getElementById(item.row);
        if (!row || item.page !== location.pathname) { return; }
        response.text().then(function (html) { applyAnswer(row, html); }).catch(function () { /* kept as shown */ });
      },
      // Saved elsewhere meanwhile (409 review_changed): the row drawn again shows the saved review and
      // keeps what was sent in the form; saving it again settles it (and clears it from the outbox).
      conflict: function (item, response) {
        var row = document.getElementById(item.row);
        if (!row || item.page !== location.pathname) { return; }
        return response.text().then(function (html) { applyAnswer(row, html); }).catch(function () { /* kept */ });
      },
    });
  }

  // A form saved with the network: what the outbox still held for it (a conflict, a refusal) is settled.
  function settled(form) {
    if (!window.greenlistOutbox) { return; }
    window.greenlistOutbox.list().then(function (items) {
      items.forEach(function (i) {
        if (i.key === "form:" + form.action && i.state !== "pending" && i.state !== "sending") { window.greenlistOutbox.remove(i.id); }
      });
    });
  }

  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    var row = form.closest ? form.closest(".review-row") : null;
    if (!row || (form.method || "").toLowerCase() !== "post" || !window.fetch || !window.DOMParser) { return; }
    ev.preventDefault();
    var button = form.querySelector("[type=submit]");
    if (!navigator.onLine && keepOffline(form, row)) { return; }
    if (button) { button.disabled = true; }
    row.setAttribute("aria-busy", "true");
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (response) {
        if (response.ok) {
          settled(form);
          var details = row.querySelector(".js-row-details");
          document.dispatchEvent(new CustomEvent("offline:saved", { detail: { part: details ? details.dataset.part : "" } }));
        }
        return response.text();
      }, function () { return Promise.reject({ offline: true }); })
      .then(function (html) {
        var fresh = applyAnswer(row, html);
        var focusable = fresh.querySelector(".message-near, .field-error") || fresh;
        if (!focusable.hasAttribute("tabindex")) { focusable.setAttribute("tabindex", "-1"); }
        focusable.focus({ preventScroll: false });
      })
      .catch(function (err) {
        row.removeAttribute("aria-busy");
        if (button) { button.disabled = false; }
        if (err && err.offline && keepOffline(form, row)) { return; }
        noteIn(form, gettext("Not saved: the connection failed. Try again."), "alert");
      });
  });

  if (location.hash) {
    var target = document.getElementById(location.hash.slice(1));
    if (target && target.classList.contains("review-row")) { current = rows.indexOf(target); target.classList.add("is-current"); }
  }
})();
