// The Green List's interactive map: our own GeoJSON over the platform's base map, nothing from
// elsewhere. Loaded only when asked for (greenlist-explore.js); without WebGL the page says so and
// the server-drawn map comes back.
(function () {
  "use strict";
  // The platform's own base map under our layers (app.js: window.greenlistBasemap).
  function withBasemap(style) {
    const own = window.greenlistBasemap;
    if (!own) return style;
    style.layers[0].paint["background-color"] = own.water;
    return Object.assign(style, { sources: Object.assign({}, own.sources, style.sources), layers: style.layers.concat(own.layers) });
  }
  const el = document.getElementById("greenlist-map");
  if (!el) return;
  const fallback = document.querySelector(".map-fallback");
  function giveUp() {
    el.hidden = true;
    if (fallback) fallback.hidden = false;
    el.dispatchEvent(new Event("greenlist:map-failed"));
  }
  if (!window.maplibregl) return giveUp();
  // Each status's colour, as the server-drawn map has them (certification.choices.STATUS_COLOURS).
  const colours = JSON.parse(el.dataset.colours);
  const COLOURS = ["match", ["get", "status"]].concat(Object.entries(colours.statuses).flat(), [colours.other]);

  function bounds(features) {
    let b = null;
    const walk = (c) => {
      if (typeof c[0] === "number") {
        b = b ? [Math.min(b[0], c[0]), Math.min(b[1], c[1]), Math.max(b[2], c[0]), Math.max(b[3], c[1])] : [c[0], c[1], c[0], c[1]];
      } else c.forEach(walk);
    };
    features.forEach((f) => f.geometry && walk(f.geometry.coordinates));
    return b;
  }

  fetch(el.dataset.geojson, { credentials: "same-origin" })
    .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
    .then((data) => {
      let map;
      try {
        maplibregl.setWorkerUrl(el.dataset.worker);
        map = new maplibregl.Map({
          container: el,
          style: withBasemap({ version: 8, sources: {}, layers: [{ id: "bg", type: "background", paint: { "background-color": "#e6eef2" } }] }),
          center: [0, 20],
          zoom: 1,
          attributionControl: false,
        });
      } catch (e) {
        return giveUp();
      }
      map.addControl(new maplibregl.NavigationControl({ showCompass: false }));
      if (window.greenlistBasemap) window.greenlistBasemap.addLabels(map);
      map.on("load", () => {
        map.addSource("areas", { type: "geojson", data: data });
        map.addLayer({ id: "fill", type: "fill", source: "areas", filter: ["!=", ["geometry-type"], "Point"], paint: { "fill-color": COLOURS, "fill-opacity": 0.35 } });
        map.addLayer({ id: "line", type: "line", source: "areas", filter: ["!=", ["geometry-type"], "Point"], paint: { "line-color": COLOURS, "line-width": 2 } });
        map.addLayer({ id: "points", type: "circle", source: "areas", filter: ["==", ["geometry-type"], "Point"], paint: { "circle-color": COLOURS, "circle-radius": 6, "circle-stroke-color": "#fff", "circle-stroke-width": 2 } });
        const b = bounds(data.features);
        if (b) map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: 40, maxZoom: 10, duration: 0 });
        el.dataset.loaded = String(data.features.length);
        map.on("click", (ev) => {
          const hit = map.queryRenderedFeatures(ev.point, { layers: ["fill", "points"] })[0];
          if (!hit) return;
          const a = document.createElement("a");
          a.href = hit.properties.url;
          a.textContent = hit.properties.name;
          new maplibregl.Popup().setLngLat(ev.lngLat).setDOMContent(a).addTo(map);
        });
        ["fill", "points"].forEach((layer) => {
          map.on("mouseenter", layer, () => { map.getCanvas().style.cursor = "pointer"; });
          map.on("mouseleave", layer, () => { map.getCanvas().style.cursor = ""; });
        });
      });
    })
    .catch(giveUp);
})();
