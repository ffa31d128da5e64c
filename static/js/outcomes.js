// The outcome page (monitoring series): a chart per series and the map of deployments, records and
// forest-loss pixels. Chart.js and MapLibre are served locally; the data come from json_script
// blocks (strict CSP). Every chart has a table with the same figures under it, so nothing here is
// the only way to read a value.
(function () {
  "use strict";
  // Words through Django's JavaScript catalogue (jsi18n, loaded first by base.html); English without it.
  // Called by these names so that makemessages -d djangojs finds the strings.
  const gettext = window.gettext || ((s) => s);
  const interpolate = window.interpolate || ((s, named) => s.replace(/%\((\w+)\)s/g, (_m, k) => named[k]));

  const COLOURS = { inside: "#1b6b3a", buffer: "#8a5a00" };
  const KIND_COLOURS = { deployment: "#1f5f8b", record: "#7b3fa0", loss: "#c2410c" };

  // Hatching, interval bars, the HTML legend and line wrapping are shared with the dashboard (charts.js,
  // loaded first).
  const { hatch, intervals, htmlLegend, wrapText } = window.greenlistCharts || {};

  // The unit, as lines over the plot that fit the chart's width. Along the y axis it was longer than the
  // plot is high (a French unit in a 220 px chart on a phone) and cut at both ends.
  const UNIT_FONT = { size: 12, weight: "normal" };
  function unitLines(unit, width) {
    return wrapText(unit, UNIT_FONT.size + "px " + Chart.defaults.font.family, width);
  }

  function ciMax(s) {
    let top = 0;
    s.zones.forEach((z) => z.ci_high.forEach((v) => { if (v !== null && v > top) top = v; }));
    return top || undefined;
  }

  function chartFor(canvas, s) {
    const bars = s.kind === "bar";
    // Each period's label carries the effort behind its value (of the first zone): the effort is read
    // with the value, not looked up elsewhere.
    const first = s.zones[0];
    // (Not when it is the same every period, as a forest zone's 2000 cover: the table's header says it.)
    const varies = new Set(first.effort).size > 1;
    const labels = s.periods.map((p, i) => (varies && first.effort[i] ? [p, first.effort[i]] : p));
    const datasets = s.zones.map((z) => {
      const colour = COLOURS[z.zone] || COLOURS.inside;
      const common = {
        label: z.label,
        data: z.values,
        borderColor: colour,
        ci: { low: z.ci_low, high: z.ci_high },
        comparable: z.comparable,
        effort: z.effort,
      };
      if (bars) {
        return Object.assign(common, {
          type: "bar",
          backgroundColor: z.comparable.map((ok) => (ok ? colour : hatch(colour))),
          borderWidth: 1,
        });
      }
      return Object.assign(common, {
        type: "line",
        showLine: false,
        pointRadius: 5,
        pointHoverRadius: 6,
        pointBorderWidth: 2,
        pointBackgroundColor: z.comparable.map((ok) => (ok ? colour : "#ffffff")),
      });
    });
    if (s.trend) {
      // Only through the comparable periods' span, and only when there are at least three of them
      // (decided by the server: monitoring.outcomes.trend).
      datasets.push({
        type: "line",
        label: gettext("Trend (comparable periods)"),
        data: s.periods.map((p) => (p === s.trend.from ? s.trend.start : p === s.trend.to ? s.trend.end : null)),
        spanGaps: true,
        borderColor: "#1d2521",
        borderDash: [6, 4],
        borderWidth: 1.5,
        pointRadius: 0,
      });
    }
    canvas.parentElement.style.height = "240px";
    const legend = s.zones.length > 1 || !!s.trend;
    return new Chart(canvas, {
      data: { labels, datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        onResize(chart, size) { chart.options.plugins.title.text = unitLines(s.unit, size.width); },
        // Room for the intervals: Chart.js scales to the values only.
        scales: { y: { beginAtZero: true, suggestedMax: ciMax(s) } },
        plugins: {
          title: {
            display: !!s.unit,
            text: unitLines(s.unit, canvas.parentElement.clientWidth),
            align: "start",
            font: UNIT_FONT,
            color: "#56615b",
            padding: { top: 0, bottom: 6 },
          },
          legend: { display: false },
          tooltip: {
            callbacks: {
              afterLabel(item) {
                const d = item.dataset;
                if (!d.comparable) return "";
                const lines = [];
                if (d.effort && d.effort[item.dataIndex]) lines.push(interpolate(gettext("Effort: %(effort)s"), { effort: d.effort[item.dataIndex] }, true));
                if (d.ci && d.ci.low[item.dataIndex] !== null && d.ci.low[item.dataIndex] !== undefined) {
                  lines.push(gettext("Interval (95 %)") + ": " + d.ci.low[item.dataIndex].toPrecision(3) + "–" + d.ci.high[item.dataIndex].toPrecision(3));
                }
                if (!d.comparable[item.dataIndex]) lines.push(gettext("Not comparable with other periods"));
                return lines;
              },
            },
          },
        },
      },
      plugins: legend ? [intervals, htmlLegend] : [intervals],
    });
  }

  function charts() {
    const source = document.getElementById("outcome-charts");
    if (!source || !window.Chart || !window.greenlistCharts) return;
    const data = JSON.parse(source.textContent);
    const byId = {};
    (data.series || []).forEach((s) => { byId[s.id] = s; });
    document.querySelectorAll("canvas.js-outcome-chart").forEach((canvas) => {
      const s = byId[canvas.dataset.series];
      if (s) {
        chartFor(canvas, s);
        canvas.dataset.drawn = "true";
      }
    });
  }

  // The site's map (map.js, loaded first): the boundary and the places, framed on the boundary.
  function map() {
    const el = document.getElementById("outcome-map");
    const maps = window.greenlistMaps;
    if (!el || !maps) return;
    maps.siteMap(el, {
      boundary: maps.readJson("outcome-boundary"),
      fillOpacity: 0.18,
      maxZoom: 13,
      points: {
        id: "points",
        data: maps.readJson("outcome-points"),
        paint: {
          "circle-radius": ["match", ["get", "kind"], "loss", 2.5, 5],
          "circle-stroke-width": ["match", ["get", "kind"], "loss", 0, 1.2],
          "circle-stroke-color": "#ffffff",
          "circle-color": ["match", ["get", "kind"], "deployment", KIND_COLOURS.deployment, "record", KIND_COLOURS.record, KIND_COLOURS.loss],
        },
        describe: (p) => [p.label, p.taxon, p.year].filter((x) => x !== "" && x !== null && x !== "null").join(" · ") +
          (p.generalised === true || p.generalised === "true" ? " — " + gettext("generalised location") : ""),
      },
    });
  }

  function init() { charts(); map(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
