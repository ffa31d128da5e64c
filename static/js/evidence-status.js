// Processing status of evidence without reloading: polls the assessment's status URL while any
// item is pending or processing, and updates the badges (evidence/badges.py, templates/evidence/_facts.html) in place.
(function () {
  "use strict";
  // Words through Django's JavaScript catalogue (jsi18n, loaded first by base.html); English without it.
  // Called by these names so that makemessages -d djangojs finds the strings.
  const gettext = window.gettext || ((s) => s);
  const interpolate = window.interpolate || ((s, named) => s.replace(/%\((\w+)\)s/g, (_m, k) => named[k]));

  const LABELS = { pending: gettext("Pending"), processing: gettext("Processing"), ready: gettext("Ready"), failed: gettext("Failed") };
  const OPEN = new Set(["pending", "processing"]);

  function locationText(row) {
    if (row.location_check === "inside") return gettext("Inside the site");
    if (row.location_check === "outside") return row.distance_km ? interpolate(gettext("Outside · %(km)s km"), { km: row.distance_km.toFixed(1) }, true) : gettext("Partly outside");
    return gettext("No location");
  }

  function update(box, row) {
    const changed = box.dataset.status !== row.status;
    box.dataset.status = row.status;
    const status = box.querySelector('[data-role="status"]');
    if (status) {
      status.textContent = LABELS[row.status] || row.status;
      status.className = "ep-badge ep-status ep-status-" + row.status;
    }
    const reason = box.querySelector('[data-role="reason"]');
    if (reason) {
      reason.textContent = row.reason || "";
      reason.hidden = row.status !== "failed";
    }
    const loc = box.querySelector('[data-role="location"]');
    if (loc) {
      loc.textContent = locationText(row);
      loc.className = "ep-badge ep-loc ep-loc-" + row.location_check;
    }
    if (row.thumbnail && !box.querySelector(".ep-thumb")) {
      const img = document.createElement("img");
      img.className = "ep-thumb";
      img.src = row.thumbnail;
      img.alt = "";
      img.width = 96;
      box.prepend(img);
    }
    return changed;
  }

  function start(container) {
    const url = container.dataset.statusUrl;
    let delay = 2000;
    function boxes() {
      const map = new Map();
      container.querySelectorAll("[data-evidence-id]").forEach((el) => map.set(el.dataset.evidenceId, el));
      return map;
    }
    function anyOpen() {
      return Array.from(container.querySelectorAll("[data-evidence-id]")).some((el) => OPEN.has(el.dataset.status));
    }
    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then((r) => (r.ok ? r.json() : Promise.reject(new Error("HTTP " + r.status))))
        .then((data) => {
          const byId = boxes();
          data.items.forEach((row) => {
            const box = byId.get(String(row.id));
            if (box) update(box, row);
          });
          container.dispatchEvent(new CustomEvent("evidence-status", { detail: data }));
          delay = 2000;
          if (data.pending > 0) window.setTimeout(poll, delay);
        })
        .catch(() => {
          delay = Math.min(delay * 2, 30000); // back off while the server is unreachable
          window.setTimeout(poll, delay);
        });
    }
    if (anyOpen()) window.setTimeout(poll, delay);
  }

  document.querySelectorAll("[data-status-url]").forEach(start);
})();
