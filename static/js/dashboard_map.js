// The portfolio map: every site as a symbol whose SHAPE and colour say its phase (readable without
// colour), drawn with the vendored MapLibre; the legend and the tables carry the same facts as text.
(function () {
  "use strict";
  // The platform's own base map under our layers (app.js: window.greenlistBasemap).
  function withBasemap(style) {
    const own = window.greenlistBasemap;
    if (!own) return style;
    style.layers[0].paint["background-color"] = own.water;
    return Object.assign(style, { sources: Object.assign({}, own.sources, style.sources), layers: style.layers.concat(own.layers) });
  }
  // Words through Django's JavaScript catalogue (jsi18n, loaded first by base.html); English without it.
  // Called by these names so that makemessages -d djangojs finds the strings.
  const gettext = window.gettext || ((s) => s);
  const interpolate = window.interpolate || ((s, named) => s.replace(/%\((\w+)\)s/g, (_m, k) => named[k]));
  const PHASES = {
    application: { colour: "#8a8f8c", shape: "circle" },
    candidate: { colour: "#c77c02", shape: "square" },
    submitted: { colour: "#1f5f8b", shape: "triangle" },
    in_review: { colour: "#6a3d9a", shape: "diamond" },
    changes_requested: { colour: "#a3191b", shape: "cross" },
    resubmitted: { colour: "#1f5f8b", shape: "triangle-down" },
    recommended: { colour: "#2e7d4f", shape: "star" },
    not_recommended: { colour: "#a3191b", shape: "ring" },
    listed: { colour: "#0f4424", shape: "star" },
    declined: { colour: "#56615b", shape: "ring" },
  };
  const SIZE = 22;

  function draw(ctx, shape, colour) {
    const s = SIZE, c = s / 2, r = s / 2 - 3;
    ctx.fillStyle = colour; ctx.strokeStyle = "#ffffff"; ctx.lineWidth = 2;
    ctx.beginPath();
    if (shape === "square") ctx.rect(c - r * 0.85, c - r * 0.85, r * 1.7, r * 1.7);
    else if (shape === "triangle") { ctx.moveTo(c, c - r); ctx.lineTo(c + r, c + r * 0.8); ctx.lineTo(c - r, c + r * 0.8); ctx.closePath(); }
    else if (shape === "triangle-down") { ctx.moveTo(c, c + r); ctx.lineTo(c + r, c - r * 0.8); ctx.lineTo(c - r, c - r * 0.8); ctx.closePath(); }
    else if (shape === "diamond") { ctx.moveTo(c, c - r); ctx.lineTo(c + r, c); ctx.lineTo(c, c + r); ctx.lineTo(c - r, c); ctx.closePath(); }
    else if (shape === "cross") { const w = r * 0.45; ctx.rect(c - w, c - r, 2 * w, 2 * r); ctx.rect(c - r, c - w, 2 * r, 2 * w); }
    else if (shape === "star") { for (let i = 0; i < 10; i++) { const a = Math.PI / 5 * i - Math.PI / 2, rr = i % 2 ? r * 0.45 : r; ctx.lineTo(c + rr * Math.cos(a), c + rr * Math.sin(a)); } ctx.closePath(); }
    else if (shape === "ring") { ctx.arc(c, c, r, 0, 2 * Math.PI); ctx.fill(); ctx.stroke(); ctx.beginPath(); ctx.fillStyle = "#ffffff"; ctx.arc(c, c, r * 0.45, 0, 2 * Math.PI); }
    else ctx.arc(c, c, r, 0, 2 * Math.PI);
    ctx.fill(); ctx.stroke();
  }

  function icon(phase) {
    const spec = PHASES[phase] || PHASES.application;
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = SIZE;
    draw(canvas.getContext("2d"), spec.shape, spec.colour);
    return canvas;
  }

  function legend() {
    document.querySelectorAll(".legend-swatch[data-phase]").forEach((el) => {
      el.replaceChildren(icon(el.dataset.phase));
    });
  }

  function init() {
    legend();
    const el = document.querySelector(".js-portfolio-map");
    const source = document.getElementById("portfolio-map-data");
    if (!el || !source || !window.maplibregl) return;
    // Compact rows from the page ([id, name, phase, lon, lat]; labels once), drawn as GeoJSON.
    const compact = JSON.parse(source.textContent);
    const data = {
      type: "FeatureCollection",
      features: compact.sites.map(([id, name, phase, lon, lat]) => ({
        type: "Feature",
        geometry: { type: "Point", coordinates: [lon, lat] },
        properties: { id, name, phase, phase_label: compact.phases[phase] || phase },
      })),
    };
    let map;
    try {
      maplibregl.setWorkerUrl(el.dataset.workerUrl);
      map = new maplibregl.Map({
        container: el,
        style: withBasemap({ version: 8, sources: {}, layers: [{ id: "bg", type: "background", paint: { "background-color": "#e6eef2" } }] }),
        center: [10, 15], zoom: 1, attributionControl: false,
      });
    } catch (err) {
      const note = document.createElement("p");
      note.className = "notice";
      note.textContent = gettext("This browser cannot draw the map (WebGL is not available); the tables below list the sites by phase.");
      el.replaceChildren(note);
      return;
    }
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
    if (window.greenlistBasemap) window.greenlistBasemap.addLabels(map);
    map.on("load", () => {
      Object.keys(PHASES).forEach((phase) => {
        const ctx = icon(phase).getContext("2d");
        map.addImage("phase-" + phase, ctx.getImageData(0, 0, SIZE, SIZE));
      });
      map.addSource("sites", { type: "geojson", data });
      map.addLayer({
        id: "sites", type: "symbol", source: "sites",
        layout: { "icon-image": ["concat", "phase-", ["get", "phase"]], "icon-allow-overlap": true },
      });
      if (data.features.length) {
        const b = new maplibregl.LngLatBounds();
        data.features.forEach((f) => b.extend(f.geometry.coordinates));
        map.fitBounds(b, { padding: 40, maxZoom: 8, duration: 0 });
      }
      map.on("click", "sites", (e) => {
        const p = e.features[0].properties;
        const box = document.createElement("div");
        const strong = document.createElement("strong");
        strong.textContent = p.name;
        box.appendChild(strong);
        box.appendChild(document.createTextNode(" — " + p.phase_label));
        new maplibregl.Popup().setLngLat(e.lngLat).setDOMContent(box).addTo(map);
      });
      el.classList.add("map-ready");
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
