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

  if (location.hash) {
    var target = document.getElementById(location.hash.slice(1));
    if (target && target.classList.contains("review-row")) { current = rows.indexOf(target); target.classList.add("is-current"); }
  }
})();
