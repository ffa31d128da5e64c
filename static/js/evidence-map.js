// The site's boundary with a pin per evidence item that has a position (inside green, outside orange).
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
  const el = document.getElementById("ep-map");
  if (!el || !window.maplibregl) return;
  const boundary = JSON.parse(document.getElementById("ep-boundary").textContent || "null");
  const pins = JSON.parse(document.getElementById("ep-pins").textContent || "null");
  maplibregl.setWorkerUrl(el.dataset.workerUrl);
  let map;
  try {
    map = new maplibregl.Map({
      container: el,
      style: withBasemap({ version: 8, sources: {}, layers: [{ id: "bg", type: "background", paint: { "background-color": "#e6eef2" } }] }),
      center: [0, 0],
      zoom: 1,
      attributionControl: false,
    });
  } catch (err) {
    el.textContent = gettext("This browser cannot draw the map (WebGL is not available).");
    return;
  }
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
  map.addControl(new maplibregl.ScaleControl(), "bottom-left");
  if (window.greenlistBasemap) window.greenlistBasemap.addLabels(map);
  map.on("load", () => {
    const bounds = new maplibregl.LngLatBounds();
    function extend(coords) {
      if (typeof coords[0] === "number") bounds.extend(coords);
      else coords.forEach(extend);
    }
    if (boundary) {
      map.addSource("site", { type: "geojson", data: boundary });
      map.addLayer({ id: "site-fill", type: "fill", source: "site", paint: { "fill-color": "#2e7d4f", "fill-opacity": 0.25 } });
      map.addLayer({ id: "site-line", type: "line", source: "site", paint: { "line-color": "#1b5e37", "line-width": 1.5 } });
      extend(boundary.coordinates);
    }
    if (pins && pins.features.length) {
      map.addSource("pins", { type: "geojson", data: pins });
      map.addLayer({
        id: "pins", type: "circle", source: "pins",
        paint: {
          "circle-radius": 6, "circle-stroke-width": 1.5, "circle-stroke-color": "#fff",
          "circle-color": ["match", ["get", "check"], "inside", "#15803d", "outside", "#ea580c", "#6b7280"],
        },
      });
      pins.features.forEach((f) => extend(f.geometry.coordinates));
      map.on("click", "pins", (e) => {
        const p = e.features[0].properties;
        const box = document.createElement("div");
        box.textContent = p.title + (p.check === "outside" ? " — " + interpolate(gettext("%(km)s km outside"), { km: Number(p.distance_km).toFixed(1) }, true) : "");
        new maplibregl.Popup().setLngLat(e.lngLat).setDOMContent(box).addTo(map);
      });
    }
    if (!bounds.isEmpty()) map.fitBounds(bounds, { padding: 30, maxZoom: 15, duration: 0 });
  });
})();
