// The site's boundary with a pin per evidence item that has a position (inside green, outside orange),
// drawn by map.js's site map (loaded first).
(function () {
  "use strict";
  // Words through Django's JavaScript catalogue (jsi18n, loaded first by base.html); English without it.
  // Called by these names so that makemessages -d djangojs finds the strings.
  const gettext = window.gettext || ((s) => s);
  const interpolate = window.interpolate || ((s, named) => s.replace(/%\((\w+)\)s/g, (_m, k) => named[k]));

  function start() {
    const el = document.getElementById("ep-map");
    const maps = window.greenlistMaps;
    if (!el || !maps) return;
    maps.siteMap(el, {
      boundary: maps.readJson("ep-boundary"),
      fillOpacity: 0.25,
      maxZoom: 15,
      points: {
        id: "pins",
        data: maps.readJson("ep-pins"),
        frame: true,
        paint: {
          "circle-radius": 6, "circle-stroke-width": 1.5, "circle-stroke-color": "#fff",
          "circle-color": ["match", ["get", "check"], "inside", "#15803d", "outside", "#ea580c", "#6b7280"],
        },
        describe: (p) => p.title + (p.check === "outside" ? " — " + interpolate(gettext("%(km)s km outside"), { km: Number(p.distance_km).toFixed(1) }, true) : ""),
      },
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
