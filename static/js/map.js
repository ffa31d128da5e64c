// Maps of protected areas (MapLibre GL, served locally; no inline script: strict CSP).
// Boundaries come from our own server (vector tiles or the page's GeoJSON); the raster base map is
// optional and the boundaries still draw when its server cannot be reached.
(function () {
  "use strict";
  // Words through Django's JavaScript catalogue (jsi18n, loaded first by base.html); English without it.
  // Called by these names so that makemessages -d djangojs finds the strings.
  const gettext = window.gettext || ((s) => s);
  const interpolate = window.interpolate || ((s, named) => s.replace(/%\((\w+)\)s/g, (_m, k) => named[k]));

  const FILL = "#2e7d4f";
  const LINE = "#1b5e37";

  function absolute(url) {
    // Vector tiles are fetched by a worker: give it a full URL (without encoding the {z}/{x}/{y}).
    return url.startsWith("/") ? window.location.origin + url : url;
  }

  function baseStyle(el) {
    const own = window.greenlistBasemap;
    const style = {
      version: 8,
      sources: Object.assign({}, own && !el.dataset.basemapUrl ? own.sources : {}),
      layers: [{ id: "background", type: "background", paint: { "background-color": own ? own.water : "#e6eef2" } }],
    };
    if (own && !el.dataset.basemapUrl) style.layers.push(...own.layers);
    if (el.dataset.basemapUrl) {
      style.sources.basemap = {
        type: "raster",
        tiles: [el.dataset.basemapUrl],
        tileSize: 256,
        attribution: el.dataset.basemapAttribution || "",
      };
      style.layers.push({ id: "basemap", type: "raster", source: "basemap" });
    }
    return style;
  }

  function createMap(el, options) {
    if (!window.maplibregl) return null;
    maplibregl.setWorkerUrl(el.dataset.workerUrl);
    try {
      const map = new maplibregl.Map(Object.assign({ container: el, style: baseStyle(el), attributionControl: { compact: true } }, options));
      map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
      map.addControl(new maplibregl.ScaleControl(), "bottom-left");
      // A base-map server that is down must not take the boundaries with it.
      map.on("error", (event) => { if (window.console) console.warn("map:", event.error && event.error.message); });
      // The base map's place names, unless a raster base map from elsewhere brings its own.
      if (window.greenlistBasemap && !el.dataset.basemapUrl) window.greenlistBasemap.addLabels(map);
      el.classList.add("map-ready");
      return map;
    } catch (err) {
      const note = document.createElement("p");
      note.className = "notice map-fallback";
      note.textContent = gettext("This browser cannot draw the map (WebGL is not available).");
      el.replaceChildren(note);
      return null;
    }
  }

  // Runs `draw` once the map's style is ready for sources and layers. Not on "load" alone: that waits
  // for every first tile, and a base-map tile that cannot be fetched (offline, a server down) can keep
  // it from ever firing, which left a kept page's boundary undrawn (issue 17).
  function whenStyleReady(map, draw) {
    let done = false;
    const run = () => { if (!done) { done = true; draw(); } };
    if (map.isStyleLoaded()) { run(); return; }
    map.once("style.load", run);
    map.once("load", run);
  }

  function areaLayers(map, source, sourceLayer) {
    const extra = sourceLayer ? { "source-layer": sourceLayer } : {};
    map.addLayer(Object.assign({ id: "areas-fill", type: "fill", source: source, paint: { "fill-color": FILL, "fill-opacity": 0.35 }, filter: ["==", ["geometry-type"], "Polygon"] }, extra));
    map.addLayer(Object.assign({ id: "areas-line", type: "line", source: source, paint: { "line-color": LINE, "line-width": 1.2 }, filter: ["==", ["geometry-type"], "Polygon"] }, extra));
  }

  function popupContent(props, detailUrl) {
    const box = document.createElement("div");
    const link = document.createElement("a");
    link.href = detailUrl.replace("/0/", "/" + encodeURIComponent(props.id) + "/");
    link.textContent = props.name;
    const strong = document.createElement("strong");
    strong.appendChild(link);
    box.appendChild(strong);
    const meta = document.createElement("div");
    meta.className = "muted";
    meta.textContent = interpolate(gettext("IUCN category %(category)s"), { category: props.iucn_category }, true) + (props.wdpa_id ? " · WDPA " + props.wdpa_id : "");
    box.appendChild(meta);
    return box;
  }

  function globalMap(el) {
    // The first view fits the areas loaded (data-extent: west,south,east,north), else the world.
    const extent = (el.dataset.extent || "").split(",").map(Number);
    const view = extent.length === 4 && extent.every(isFinite)
      ? { bounds: [[extent[0], extent[1]], [extent[2], extent[3]]], fitBoundsOptions: { padding: 30, maxZoom: 8 } }
      : { center: [10, 15], zoom: 1.3 };
    const map = createMap(el, Object.assign(view, { maxZoom: 16 }));
    if (!map) return;
    window.greenlistMap = map;
    whenStyleReady(map, () => {
      map.addSource("pa", { type: "vector", tiles: [absolute(el.dataset.tilesUrl)], minzoom: 0, maxzoom: 14 });
      areaLayers(map, "pa", "areas");
      // Low zooms: small areas as one point per pixel cell, larger where it holds more (map_cells).
      map.addLayer({ id: "area-cells", type: "circle", source: "pa", "source-layer": "area_cells", paint: { "circle-radius": ["interpolate", ["linear"], ["ln", ["get", "areas"]], 0, 1.5, 5, 4], "circle-color": FILL, "circle-opacity": 0.8 } });
      map.addLayer({ id: "area-points", type: "circle", source: "pa", "source-layer": "area_points", paint: { "circle-radius": 4, "circle-color": FILL, "circle-stroke-color": "#fff", "circle-stroke-width": 1 } });
      const interactive = ["areas-fill", "area-points"];
      interactive.forEach((layer) => {
        map.on("mouseenter", layer, () => { map.getCanvas().style.cursor = "pointer"; });
        map.on("mouseleave", layer, () => { map.getCanvas().style.cursor = ""; });
      });
      map.on("click", (event) => {
        const features = map.queryRenderedFeatures(event.point, { layers: interactive });
        if (!features.length) return;
        const props = Object.assign({ id: features[0].id }, features[0].properties);
        new maplibregl.Popup().setLngLat(event.lngLat).setDOMContent(popupContent(props, el.dataset.detailUrl)).addTo(map);
      });
      el.dataset.loaded = "true";
    });
  }

  function extend(bounds, coords) {
    if (typeof coords[0] === "number") {
      bounds[0] = Math.min(bounds[0], coords[0]); bounds[1] = Math.min(bounds[1], coords[1]);
      bounds[2] = Math.max(bounds[2], coords[0]); bounds[3] = Math.max(bounds[3], coords[1]);
      return bounds;
    }
    coords.forEach((c) => extend(bounds, c));
    return bounds;
  }

  function readJson(id) {
    const node = document.getElementById(id);
    if (!node) return null;
    const value = JSON.parse(node.textContent);
    return typeof value === "string" ? JSON.parse(value) : value;
  }

  function detailMap(el) {
    const geometry = readJson("area-boundary") || readJson("area-point");
    if (!geometry) return;
    const b = extend([180, 90, -180, -90], geometry.coordinates);
    const map = createMap(el, { bounds: [[b[0], b[1]], [b[2], b[3]]], fitBoundsOptions: { padding: 30, maxZoom: 12 } });
    if (!map) return;
    window.greenlistMap = map;
    whenStyleReady(map, () => {
      map.addSource("area", { type: "geojson", data: { type: "Feature", geometry: geometry, properties: {} } });
      if (geometry.type === "Point") {
        map.addLayer({ id: "area-point", type: "circle", source: "area", paint: { "circle-radius": 7, "circle-color": FILL, "circle-stroke-color": "#fff", "circle-stroke-width": 2 } });
      } else {
        areaLayers(map, "area", null);
      }
      el.dataset.loaded = "true";
    });
  }

  // The import wizard's dry run: the areas it would create or update.
  function previewMap(el) {
    const data = readJson(el.dataset.source);
    if (!data || !data.features || !data.features.length) return;
    const b = [180, 90, -180, -90];
    data.features.forEach((f) => extend(b, f.geometry.coordinates));
    const map = createMap(el, { bounds: [[b[0], b[1]], [b[2], b[3]]], fitBoundsOptions: { padding: 30, maxZoom: 12 } });
    if (!map) return;
    window.greenlistMap = map;
    whenStyleReady(map, () => {
      map.addSource("preview", { type: "geojson", data: data });
      areaLayers(map, "preview", null);
      const dot = { "circle-color": FILL, "circle-stroke-color": "#fff", "circle-stroke-width": 1.5 };
      // Point-only sites (a WDPA download's other layer) as dots.
      map.addLayer({ id: "preview-points", type: "circle", source: "preview", filter: ["==", ["geometry-type"], "Point"], paint: Object.assign({ "circle-radius": 6 }, dot) });
      // Zoomed out (areas far apart), a boundary is a pixel or less: a dot inside each shows where it is.
      const markers = data.features.filter((f) => f.geometry.type !== "Point" && f.properties.marker)
        .map((f) => ({ type: "Feature", geometry: { type: "Point", coordinates: f.properties.marker }, properties: { name: f.properties.name } }));
      map.addSource("preview-markers", { type: "geojson", data: { type: "FeatureCollection", features: markers } });
      map.addLayer({ id: "preview-markers", type: "circle", source: "preview-markers", maxzoom: 6, paint: Object.assign({ "circle-radius": 4 }, dot) });
      el.dataset.loaded = "true";
    });
  }

  // A multi-site application's sites (assessments/sites.html): every boundary (or point), each named.
  function sitesMap(el) {
    const data = readJson(el.dataset.source);
    if (!data || !data.features || !data.features.length) return;
    const b = [180, 90, -180, -90];
    data.features.forEach((f) => extend(b, f.geometry.coordinates));
    const map = createMap(el, { bounds: [[b[0], b[1]], [b[2], b[3]]], fitBoundsOptions: { padding: 40, maxZoom: 12 } });
    if (!map) return;
    window.greenlistMap = map;
    whenStyleReady(map, () => {
      map.addSource("sites", { type: "geojson", data: data });
      areaLayers(map, "sites", null);
      map.addLayer({ id: "site-points", type: "circle", source: "sites", filter: ["==", ["geometry-type"], "Point"], paint: { "circle-radius": 7, "circle-color": FILL, "circle-stroke-color": "#fff", "circle-stroke-width": 2 } });
      // Names as HTML markers at the middle of each site's extent (no glyph server for map text).
      const labels = data.features.map((f) => {
        const fb = extend([180, 90, -180, -90], f.geometry.coordinates);
        const label = document.createElement("span");
        label.className = "site-label" + (f.properties.main ? " site-label-main" : "");
        label.textContent = f.properties.name;
        return new maplibregl.Marker({ element: label }).setLngLat([(fb[0] + fb[2]) / 2, (fb[1] + fb[3]) / 2]).addTo(map);
      });
      // A name near the map's edge is moved sideways to show whole ("ong Dien Test Reserve" was cut).
      const keepInside = () => {
        const frame = el.getBoundingClientRect();
        labels.forEach((marker) => {
          marker.setOffset([0, 0]);
          const r = marker.getElement().getBoundingClientRect();
          let dx = 0;
          if (r.width < frame.width - 8) {
            if (r.left < frame.left + 4) dx = frame.left + 4 - r.left;
            else if (r.right > frame.right - 4) dx = frame.right - 4 - r.right;
          }
          marker.setOffset([Math.round(dx), 0]);
        });
      };
      map.on("moveend", keepInside);
      keepInside();
      el.dataset.loaded = "true";
    });
  }

  // One site's map on a page of its own (the evidence page, the outcome page): its boundary, if known,
  // and a layer of points over the base map, framed on the boundary (and on the points too when
  // `points.frame` is set, or when there is no boundary). `points.describe(properties)` gives a
  // clicked point's popup text. Returns the map, or null when the browser cannot draw one.
  function siteMap(el, { boundary, points, fillOpacity, maxZoom }) {
    const shown = points && points.data && points.data.features.length ? points : null;
    const b = [180, 90, -180, -90];
    if (boundary) extend(b, boundary.coordinates);
    if (shown && (shown.frame || !boundary)) shown.data.features.forEach((f) => extend(b, f.geometry.coordinates));
    const view = b[0] <= b[2]
      ? { bounds: [[b[0], b[1]], [b[2], b[3]]], fitBoundsOptions: { padding: 30, maxZoom: maxZoom } }
      : { center: [0, 0], zoom: 1 };
    const map = createMap(el, view);
    if (!map) return null;
    whenStyleReady(map, () => {
      if (boundary) {
        map.addSource("site", { type: "geojson", data: boundary });
        map.addLayer({ id: "site-fill", type: "fill", source: "site", paint: { "fill-color": FILL, "fill-opacity": fillOpacity } });
        map.addLayer({ id: "site-line", type: "line", source: "site", paint: { "line-color": LINE, "line-width": 1.5 } });
      }
      if (shown) {
        map.addSource(shown.id, { type: "geojson", data: shown.data });
        map.addLayer({ id: shown.id, type: "circle", source: shown.id, paint: shown.paint });
        map.on("click", shown.id, (event) => {
          const box = document.createElement("div");
          box.textContent = shown.describe(event.features[0].properties);
          new maplibregl.Popup().setLngLat(event.lngLat).setDOMContent(box).addTo(map);
        });
        map.on("mouseenter", shown.id, () => { map.getCanvas().style.cursor = "pointer"; });
        map.on("mouseleave", shown.id, () => { map.getCanvas().style.cursor = ""; });
      }
      el.dataset.loaded = "true";
    });
    return map;
  }

  // For the pages that draw a site's map with their own points (evidence-map.js, outcomes.js), which
  // load this file before theirs.
  window.greenlistMaps = { siteMap, readJson };

  function start() {
    const sites = document.getElementById("sites-map");
    if (sites) sitesMap(sites);
    const preview = document.getElementById("preview-map");
    if (preview) previewMap(preview);
    const global = document.getElementById("global-map");
    if (global) globalMap(global);
    const detail = document.getElementById("area-map");
    if (detail) detailMap(detail);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
