// Dashboard charts (Chart.js, served locally; data comes from a json_script block: strict CSP), and the
// helpers other pages' charts share (window.greenlistCharts).
// Readable without colour: every bar carries its value as text, "not met" bars are hatched, and
// each chart has a table with the same figures next to it.
(function () {
  "use strict";
  // Words through Django's JavaScript catalogue (jsi18n, loaded first by base.html); English without it.
  // Called by these names so that makemessages -d djangojs finds the strings.
  const gettext = window.gettext || ((s) => s);
  const interpolate = window.interpolate || ((s, named) => s.replace(/%\((\w+)\)s/g, (_m, k) => named[k]));

  // Numbers on the axes and in tooltips in the page's language ("0,5" in French), not the browser's.
  if (window.Chart) { window.Chart.defaults.locale = document.documentElement.lang || "en"; }

  const GREEN = "#1b6b3a";
  const GREY = "#56615b";
  const BLUE = "#1f5f8b";

  // Diagonal stripes of `colour` on white: a bar that differs (not met, not comparable) reads without colour.
  function hatch(colour) {
    const c = document.createElement("canvas");
    c.width = c.height = 10;
    const g = c.getContext("2d");
    g.fillStyle = "#ffffff";
    g.fillRect(0, 0, 10, 10);
    g.strokeStyle = colour;
    g.lineWidth = 2;
    g.beginPath();
    g.moveTo(0, 10); g.lineTo(10, 0);
    g.moveTo(-5, 5); g.lineTo(5, -5);
    g.moveTo(5, 15); g.lineTo(15, 5);
    g.stroke();
    return g.createPattern(c, "repeat");
  }

  // 95 % intervals as vertical bars with caps, for the datasets that carry `ci` ({low: [], high: []}).
  const intervals = {
    id: "intervals",
    afterDatasetsDraw(chart) {
      const ctx = chart.ctx;
      const y = chart.scales.y;
      ctx.save();
      ctx.lineWidth = 1.2;
      chart.data.datasets.forEach((dataset, i) => {
        if (!dataset.ci) return;
        const meta = chart.getDatasetMeta(i);
        if (meta.hidden) return;
        ctx.strokeStyle = dataset.borderColor;
        meta.data.forEach((el, j) => {
          const low = dataset.ci.low[j];
          const high = dataset.ci.high[j];
          if (low === null || high === null || low === undefined) return;
          const top = y.getPixelForValue(high);
          const bottom = y.getPixelForValue(low);
          ctx.beginPath();
          ctx.moveTo(el.x, top); ctx.lineTo(el.x, bottom);
          ctx.moveTo(el.x - 4, top); ctx.lineTo(el.x + 4, top);
          ctx.moveTo(el.x - 4, bottom); ctx.lineTo(el.x + 4, bottom);
          ctx.stroke();
        });
      });
      ctx.restore();
    },
  };

  // Lines of `text` no wider than `width` px in `font` (a canvas font), broken at spaces: Chart.js
  // draws a title's lines as given, and cuts a line longer than the canvas at both edges.
  // One context to measure text with, for every label of every chart (one per call was a canvas per
  // label on each redraw).
  let measuring = null;
  function measurer(font) {
    measuring = measuring || document.createElement("canvas").getContext("2d");
    measuring.font = font;
    return measuring;
  }

  function wrapText(text, font, width) {
    const g = measurer(font);
    const lines = [];
    let line = "";
    String(text || "").split(/\s+/).filter(Boolean).forEach((word) => {
      const longer = line ? line + " " + word : word;
      if (line && g.measureText(longer).width > width) {
        lines.push(line);
        line = word;
      } else {
        line = longer;
      }
    });
    if (line) lines.push(line);
    return lines;
  }

  // The legend as an HTML list under the chart rather than drawn in it: Chart.js puts a legend's items
  // in rows of the canvas's width and cuts a longer label at both edges (a French one on a phone),
  // where HTML wraps it. Each swatch is drawn as Chart.js draws it (colour, hatching, dashes).
  const htmlLegend = {
    id: "htmlLegend",
    afterUpdate(chart) {
      const box = chart.canvas.parentElement;
      let list = box.nextElementSibling;
      if (!list || !list.classList.contains("chart-legend")) {
        list = document.createElement("ul");
        list.className = "chart-legend";
        box.after(list);
      }
      const ratio = window.devicePixelRatio || 1;
      const items = Chart.defaults.plugins.legend.labels.generateLabels(chart).map((item) => {
        const swatch = document.createElement("canvas");
        swatch.className = "chart-swatch";
        swatch.setAttribute("aria-hidden", "true");
        swatch.width = 28 * ratio;
        swatch.height = 14 * ratio;
        const g = swatch.getContext("2d");
        g.scale(ratio, ratio);
        g.fillStyle = [].concat(item.fillStyle)[0];  // a per-bar colour list: the first bar's
        g.fillRect(1, 1, 26, 12);
        if (item.lineWidth) {
          g.strokeStyle = [].concat(item.strokeStyle)[0];
          g.lineWidth = Math.min(item.lineWidth, 2);
          g.setLineDash(item.lineDash || []);
          g.strokeRect(1, 1, 26, 12);
        }
        // Each entry shows or hides its series, as the canvas legend it replaces did on a click.
        const button = document.createElement("button");
        button.type = "button";
        button.className = "chart-legend-toggle";
        const key = item.datasetIndex !== undefined ? `d${item.datasetIndex}` : `i${item.index}`;
        button.dataset.key = key;
        button.setAttribute("aria-pressed", item.hidden ? "false" : "true");
        button.append(swatch, document.createTextNode(item.text));
        button.addEventListener("click", () => {
          if (item.datasetIndex !== undefined) chart.setDatasetVisibility(item.datasetIndex, !chart.isDatasetVisible(item.datasetIndex));
          else chart.toggleDataVisibility(item.index);
          chart.update();
          // The list is drawn again by the update: the focus stays on the same entry.
          const again = list.querySelector(`[data-key="${key}"]`);
          if (again) again.focus();
        });
        const li = document.createElement("li");
        li.append(button);
        return li;
      });
      list.replaceChildren(...items);
    },
  };

  // A category's name as the lines an axis writes it in, none wider than `width` px: broken at spaces,
  // then after the hyphens of a longer word ("Saint-|Vincent-|et-les"), at most `most` lines, the
  // last cut with "…" when the name is longer still. Chart.js writes a name on one line, cut at the
  // canvas's edge on a phone ("fications demandées"); the tooltip and the table keep it whole.
  function fitLabel(text, font, width, most) {
    const fits = (s) => measurer(font).measureText(s).width <= width;
    const pieces = [];
    wrapText(text, font, width).forEach((line) => {
      if (fits(line)) { pieces.push(line); return; }
      let part = "";
      // Pieces each ending at its hyphen ("Saint-", "Vincent-"); no look-behind, which older Safari lacks.
      (line.match(/[^-]+-?|-/g) || []).forEach((bit) => {
        if (part && !fits(part + bit)) { pieces.push(part); part = bit; } else { part += bit; }
      });
      if (part) pieces.push(part);
    });
    const lines = pieces.slice(0, most || 3);
    const cut = (s) => { while (s.length > 1 && !fits(s + "…")) s = s.slice(0, -1); return s.trimEnd() + "…"; };
    lines.forEach((line, i) => { if (!fits(line)) lines[i] = cut(line); });
    if (pieces.length > lines.length) lines[lines.length - 1] = cut(lines[lines.length - 1]);
    return lines;
  }

  // For the other pages' charts (outcomes.js), which load this file before theirs.
  window.greenlistCharts = { hatch, intervals, htmlLegend, wrapText, fitLabel };

  // A percentage as the pages write it (core/templatetags/typography.py `percent`): at most one
  // decimal, the page language's decimal sign and percent sign ("94.9%", "94,9 %").
  const percent = new Intl.NumberFormat(document.documentElement.lang || "en", { style: "percent", maximumFractionDigits: 1 });

  // Writes each bar's value at its end, so the figure is read as text, not guessed from a colour.
  const valueLabels = {
    id: "valueLabels",
    afterDatasetsDraw(chart, _args, options) {
      const ctx = chart.ctx;
      ctx.save();
      ctx.font = "12px 'DejaVu Sans', sans-serif";
      ctx.fillStyle = "#1d2521";
      const horizontal = chart.options.indexAxis === "y";
      chart.data.datasets.forEach((dataset, i) => {
        const meta = chart.getDatasetMeta(i);
        if (meta.hidden) return;
        meta.data.forEach((bar, j) => {
          const value = dataset.data[j];
          if (value === null || value === undefined) return;
          const text = (options && options.percent) ? percent.format(value / 100) : String(value);
          if (horizontal) {
            ctx.textAlign = "left"; ctx.textBaseline = "middle";
            ctx.fillText(text, bar.x + 4, bar.y);
          } else {
            ctx.textAlign = "center"; ctx.textBaseline = "bottom";
            ctx.fillText(text, bar.x, bar.y - 2);
          }
        });
      });
      ctx.restore();
    },
  };

  // The categories' axis of a horizontal bar chart: every name written (none skipped), in lines no
  // wider than the axis may be, which Chart.js caps at half the chart (less the values' room at the
  // right) and which also holds the tick marks and their padding.
  const RIGHT = 56;  // room for the value written after the longest bar
  const LINE = 15;   // px per line of a 12 px label
  const labelFont = () => Chart.helpers.toFont(Chart.defaults.font).string;
  const labelWidth = (chartWidth) => Math.max(60, Math.min(220, (chartWidth - RIGHT) / 2 - 16));
  const categoryAxis = {
    ticks: {
      autoSkip: false,
      callback(value) {
        return fitLabel(this.getLabelForValue(value), labelFont(), labelWidth(this.chart.width));
      },
    },
  };

  // A horizontal chart's box as tall as its rows need, each at least `row` px and more where the
  // name takes lines; only ever made taller on a resize (a narrower screen, more lines), so that a
  // height change never feeds back into a width change.
  function sizeRows(box, labels, row, extra) {
    const lines = labels.map((l) => fitLabel(l, labelFont(), labelWidth(box.clientWidth)).length);
    const height = extra + lines.reduce((sum, n) => sum + Math.max(row, n * LINE + 10), 0);
    if (height > box.clientHeight + 1 || !box.style.height) box.style.height = height + "px";
  }

  function base(horizontal, max, isPercent) {
    const scale = { beginAtZero: true, ticks: { precision: 0 } };
    if (max) scale.max = max;
    return {
      indexAxis: horizontal ? "y" : "x",
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      layout: { padding: { right: horizontal ? RIGHT : 0, top: horizontal ? 0 : 18 } },
      scales: horizontal ? { x: scale, y: categoryAxis } : { y: scale },
      plugins: { legend: { display: false }, valueLabels: { percent: !!isPercent } },
    };
  }

  function siteChart(canvas, data) {
    const datasets = [{
      label: gettext("Site's own score (%) — hatched: component not met"),
      data: data.self,
      backgroundColor: data.met.map((m) => (m ? GREEN : hatch(GREEN))),
      borderColor: GREEN,
      borderWidth: 1,
    }];
    if (data.expert) {
      datasets.push({ label: gettext("Group's score (%)"), data: data.expert, backgroundColor: hatch(BLUE), borderColor: BLUE, borderWidth: 1 });
    }
    const options = base(true, 100, true);
    const size = () => sizeRows(canvas.parentElement, data.labels, data.expert ? 48 : 34, 40);
    size();
    options.onResize = size;
    return new Chart(canvas, { type: "bar", data: { labels: data.labels, datasets }, options, plugins: [valueLabels, htmlLegend] });
  }

  function reviewChart(canvas, data) {
    const options = base(false, 100, true);
    options.plugins.tooltip = { callbacks: { title: (items) => items.map((i) => i.label + " " + data.titles[i.dataIndex]) } };
    canvas.parentElement.style.height = "260px";
    return new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [
          { label: gettext("My ratings agree with the site (%)"), data: data.mine, backgroundColor: GREEN },
          { label: gettext("Group findings agree with the site (%) — hatched"), data: data.group, backgroundColor: hatch(BLUE), borderColor: BLUE, borderWidth: 1 },
        ],
      },
      options,
      plugins: [valueLabels, htmlLegend],
    });
  }

  function countChart(canvas, data, horizontal, colour) {
    const options = base(horizontal);
    if (horizontal) {
      const size = () => sizeRows(canvas.parentElement, data.labels, 24, 50);
      size();
      options.onResize = size;
    } else {
      canvas.parentElement.style.height = "240px";
      options.scales.x = { ticks: { autoSkip: false } };  // five buckets: each one named, tilted if need be
    }
    return new Chart(canvas, {
      type: "bar",
      data: { labels: data.labels, datasets: [{ label: gettext("Sites"), data: data.counts, backgroundColor: colour || GREEN }] },
      options,
      plugins: [valueLabels],
    });
  }

  function init() {
    const source = document.getElementById("dashboard-charts");
    if (!source || !window.Chart) return;
    const charts = JSON.parse(source.textContent);
    const byId = (list, id) => (list || []).find((c) => String(c.id) === String(id));
    document.querySelectorAll("canvas.js-chart").forEach((canvas) => {
      const kind = canvas.dataset.chart;
      if (kind === "site") {
        const data = byId(charts.sites, canvas.dataset.id);
        if (data) siteChart(canvas, data);
      } else if (kind === "review") {
        const data = byId(charts.reviews, canvas.dataset.id);
        if (data) reviewChart(canvas, data);
      } else if (charts.portfolio && charts.portfolio[kind]) {
        const horizontal = kind === "phases" || kind === "countries" || kind === "jurisdictions";
        countChart(canvas, charts.portfolio[kind], horizontal, kind === "throughput" ? BLUE : kind === "readiness" ? GREY : GREEN);
      }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
