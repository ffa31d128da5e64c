// Small progressive enhancements shared by every page (no inline script: strict CSP).
document.addEventListener("change", (event) => {
  const el = event.target;
  if (el.classList && el.classList.contains("js-autosubmit") && el.form) el.form.submit();
});

// The phone menu: fold the header's links behind the menu button (the panel stays open without script).
(() => {
  const header = document.querySelector(".site-header");
  const toggle = header && header.querySelector(".menu-toggle");
  if (!toggle) return;
  header.classList.add("has-menu");
  toggle.hidden = false;
  toggle.addEventListener("click", () => {
    const open = header.classList.toggle("menu-open");
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && header.classList.contains("menu-open")) {
      header.classList.remove("menu-open");
      toggle.setAttribute("aria-expanded", "false");
      toggle.focus();
    }
  });
})();

// A message about one part of a long page (core.messages.success_near) goes next to that part, where
// the browser has scrolled to; the top box disappears when nothing is left in it.
(() => {
  const box = document.querySelector(".messages");
  if (!box) return;
  box.querySelectorAll("[data-near]").forEach((message) => {
    const target = document.getElementById(message.dataset.near);
    if (!target) return;
    message.setAttribute("role", "status");
    message.classList.add("message-near");
    target.prepend(message);
  });
  if (!box.querySelector(".message")) box.hidden = true;
})();

// The platform's own base map: Natural Earth countries and cities served by the platform itself
// (protected_areas.basemap), so maps show coasts, borders and place names with no server outside.
// Each map script puts `greenlistBasemap.sources` and `.layers` under its own layers and calls
// `greenlistBasemap.addLabels(map)` once.
(() => {
  const meta = document.querySelector('meta[name="basemap-tiles"]');
  if (!meta) return;
  const url = meta.content.replace("/0/0/0.pbf", "/{z}/{x}/{y}.pbf");
  const placesMeta = document.querySelector('meta[name="basemap-places"]');

  // Place names are HTML over the map: MapLibre's own text needs font glyphs from a server, which
  // the platform does not have. The names (in the page's language) are fetched once per page; they
  // come largest first, and a name that would overlap one already placed is left out, so only the
  // few in view with room for them get a node. Labels ignore the pointer and screen readers: the
  // pages say in words what their maps show.
  const MAX_LABELS = 60;
  const CITY_DOT_HALF = 3; // half the width of a city's dot (app.css .map-label-city::before)
  let places = null;
  function loadPlaces() {
    if (!places) {
      places = fetch(placesMeta.content)
        .then((r) => (r.ok ? r.json() : { labels: [] }))
        .then((data) => data.labels)
        .catch(() => []);
    }
    return places;
  }

  const measure = document.createElement("canvas").getContext("2d");
  const fonts = {};
  function labelElement(label) {
    const el = document.createElement("div");
    el.className = "map-label map-label-" + label.kind;
    el.textContent = label.name;
    el.setAttribute("aria-hidden", "true");
    return el;
  }
  function textWidth(font, text) {
    measure.font = font.font;
    return measure.measureText(font.upper ? text.toUpperCase() : text).width + font.spacing * text.length;
  }
  function labelBox(map, label, point) {
    if (label.width === undefined) {
      // Each kind's font is read from a probe once (CSS stays its one home); the probe's own width
      // gives what the text does not (padding, a city's dot).
      if (!fonts[label.kind]) {
        const probe = labelElement(label);
        probe.style.visibility = "hidden";
        map.getContainer().appendChild(probe);
        const style = getComputedStyle(probe);
        const font = {
          font: [style.fontStyle, style.fontWeight, style.fontSize, style.fontFamily].join(" "),
          spacing: parseFloat(style.letterSpacing) || 0,
          upper: style.textTransform === "uppercase",
          height: probe.offsetHeight,
        };
        font.extra = probe.offsetWidth - textWidth(font, label.name);
        probe.remove();
        fonts[label.kind] = font;
      }
      const font = fonts[label.kind];
      label.width = textWidth(font, label.name) + font.extra;
      label.height = font.height;
    }
    const left = label.kind === "city" ? point.x - CITY_DOT_HALF : point.x - label.width / 2;
    return { left: left, right: left + label.width, top: point.y - label.height / 2, bottom: point.y + label.height / 2 };
  }

  function addLabels(map) {
    if (!placesMeta || !window.maplibregl) return;
    const shown = new Map();
    function update(labels) {
      const zoom = map.getZoom();
      const view = map.getContainer();
      const centre = map.getCenter().lng;
      const taken = [];
      for (const label of labels) {
        if (zoom < label.minzoom) continue;
        // The copy of the world nearest the centre, as MapLibre draws the marker.
        const lng = label.at[0] + 360 * Math.round((centre - label.at[0]) / 360);
        const box = labelBox(map, label, map.project([lng, label.at[1]]));
        if (box.left < 0 || box.top < 0 || box.right > view.clientWidth || box.bottom > view.clientHeight) continue;
        if (taken.some((b) => b.left < box.right && box.left < b.right && b.top < box.bottom && box.top < b.bottom)) continue;
        taken.push(Object.assign(box, { label: label }));
        if (taken.length >= MAX_LABELS) break;
      }
      const wanted = new Set(taken.map((b) => b.label));
      shown.forEach((marker, label) => {
        if (!wanted.has(label)) { marker.remove(); shown.delete(label); }
      });
      wanted.forEach((label) => {
        if (shown.has(label)) return;
        const el = labelElement(label);
        // A city's dot sits on the place, its name to the right; a country's name is centred.
        const marker = new maplibregl.Marker({ element: el, anchor: label.kind === "city" ? "left" : "center", offset: label.kind === "city" ? [-CITY_DOT_HALF, 0] : [0, 0] });
        marker.setLngLat(label.at).addTo(map);
        // MapLibre names a marker as a button; a label is neither.
        el.removeAttribute("role");
        el.removeAttribute("aria-label");
        shown.set(label, marker);
      });
    }
    loadPlaces().then((labels) => {
      const redraw = () => update(labels);
      map.on("moveend", redraw);
      map.on("resize", redraw);
      redraw();
    });
  }

  window.greenlistBasemap = {
    addLabels: addLabels,
    water: "#d7e6ee",
    sources: {
      countries: {
        type: "vector",
        tiles: [url.startsWith("/") ? window.location.origin + url : url],
        minzoom: 0,
        maxzoom: 6,
        attribution: "Natural Earth",
      },
    },
    layers: [
      { id: "land", type: "fill", source: "countries", "source-layer": "countries", paint: { "fill-color": "#f4f1e8" } },
      { id: "borders", type: "line", source: "countries", "source-layer": "countries", paint: { "line-color": "#b4ab99", "line-width": 0.7 } },
    ],
  };
})();

// The service worker of the installable app (issue 17; static/js/offline/sw.js, served at /sw.js so
// that its scope is the whole site), for a person logged in: it serves the pages they kept offline.
(() => {
  const meta = document.querySelector('meta[name="service-worker"]');
  if (!meta || !("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register(meta.content, { scope: "/" }).catch(() => {
    // No worker (a private window, an old browser): pages work as before, only not offline.
  });
})();

// A drop-down cuts its chosen option at the arrow when the option is longer than the drop-down is wide
// (a French indicator title or "checked by" on a phone), and a select's text cannot wrap: the whole
// text is then also written under it (hidden from screen readers, which read the select's value).
(() => {
  const measure = document.createElement("canvas").getContext("2d");
  const ARROW = 24; // px the browser keeps for the arrow, beside the padding
  const watched = new WeakSet();
  function update(select) {
    const option = select.options[select.selectedIndex];
    let note = select.nextElementSibling;
    if (!note || !note.classList.contains("select-whole")) {
      note = document.createElement("span");
      note.className = "select-whole";
      note.setAttribute("aria-hidden", "true");
      note.hidden = true;
      select.after(note);
    }
    let cut = false;
    if (option && select.clientWidth) {
      const style = getComputedStyle(select);
      measure.font = [style.fontStyle, style.fontWeight, style.fontSize, style.fontFamily].join(" ");
      const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - ARROW;
      cut = measure.measureText(option.text).width > room;
    }
    note.textContent = cut ? option.text : "";
    note.hidden = !cut;
  }
  const resized = "ResizeObserver" in window ? new ResizeObserver((entries) => entries.forEach((e) => update(e.target))) : null;
  function watch(root) {
    const selects = root.matches && root.matches("select") ? [root] : root.querySelectorAll ? root.querySelectorAll("select") : [];
    selects.forEach((select) => {
      if (select.multiple || select.size > 1 || watched.has(select)) return;
      watched.add(select);
      if (resized) resized.observe(select);
      else update(select);
    });
  }
  watch(document);
  document.addEventListener("change", (event) => {
    if (watched.has(event.target)) update(event.target);
  });
  // Drop-downs that fragments and scripts add later (review rows, evidence forms).
  new MutationObserver((records) => records.forEach((r) => r.addedNodes.forEach((n) => n.nodeType === 1 && watch(n))))
    .observe(document.body, { childList: true, subtree: true });
})();

// A moment written as the pages write a short date and time (greenlist/formats: "6 Dec 2026, 21:33",
// "6 déc. 2026, 21:33", "6 dic 2026, 21:33"), for the scripts that show one: toLocaleString's own
// "06/12/2026 21:33:00" beside the pages' dates read as another way of dating. English day first, as
// the platform's English format is ("en" alone is month first in Intl).
window.greenlistShortDateTime = (value) => {
  const lang = document.documentElement.lang || "en";
  return new Date(value).toLocaleString(lang === "en" ? "en-GB" : lang, {
    day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  });
};
