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

// The platform's own base map: Natural Earth countries served as vector tiles by the platform itself
// (protected_areas.basemap), so maps show coasts and borders with no tile server outside. Each map
// script puts `greenlistBasemap.sources` and `.layers` under its own layers.
(() => {
  const meta = document.querySelector('meta[name="basemap-tiles"]');
  if (!meta) return;
  const url = meta.content.replace("/0/0/0.pbf", "/{z}/{x}/{y}.pbf");
  window.greenlistBasemap = {
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
