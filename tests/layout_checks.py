"""Measurements of a page in the browser, for the phone tests: status pills, drop-downs and charts.

Each is a JavaScript function for `page.evaluate`, returning a list of problems (strings; empty when
the page is right), so that one test can walk many pages and say everything that is wrong at once.
Used by the phone walk (tests/journeys/test_every_role_on_a_phone.py, in French) and the certification and
monitoring phone tests.
"""

# Pills: a short status or mark in a rounded box. The text is readable on the pill (4.5:1), and the
# pill shows its shape: its border or background stands apart from the page around it (a status pill's
# border 3:1, WCAG 1.4.11; a mark's tint at all, 1.05:1; a white pill on a white panel is 1:1). On the
# screen, unless in a box that scrolls (a wide table). In a table a pill is one line; elsewhere it wraps
# only when longer than its whole line, and then its corners are a rounded box's, not an oval's.
PILLS = r"""() => {
  const SELECTOR = ".status-pill, .cert-status, .badge, .badge-carried, .badge-score, .ep-badge, .diff-badge, .tag";
  const STATUS = ".status-pill, .cert-status";
  const rgba = (s) => { const v = (s.match(/[\d.]+/g) || []).map(Number); return v.length === 3 ? [...v, 1] : v; };
  const lum = (c) => {
    const f = (x) => { x /= 255; return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const contrast = (a, b) => {
    const x = lum(a), y = lum(b);
    return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
  };
  const px = (v) => parseFloat(v) || 0;
  const behind = (e) => {
    for (let n = e; n; n = n.parentElement) {
      const c = rgba(getComputedStyle(n).backgroundColor);
      if (c[3] > 0.5) return c;
    }
    return [255, 255, 255, 1];
  };
  const problems = [];
  for (const pill of document.querySelectorAll(SELECTOR)) {
    const text = pill.textContent.trim();
    if (!text || !pill.getClientRects().length || pill.closest("[aria-hidden=true], .site-header")) continue;
    const s = getComputedStyle(pill);
    if (!px(s.borderTopLeftRadius)) continue;  // the class's name only, not drawn as a pill here
    const name = `${pill.className} “${text.slice(0, 40)}”`;
    const own = behind(pill);
    const around = behind(pill.parentElement);
    const ink = contrast(rgba(s.color), own);
    if (ink < 4.5) problems.push(`${name}: text contrast ${ink.toFixed(2)}`);
    const border = px(s.borderTopWidth) > 0 ? contrast(rgba(s.borderTopColor), around) : 1;
    const edge = Math.max(border, contrast(own, around));
    if (edge < (pill.matches(STATUS) ? 3 : 1.05)) {
      problems.push(`${name}: its shape does not show (${edge.toFixed(2)}:1)`);
    }
    const r = pill.getBoundingClientRect();
    const scrolls = (e) => e && (/auto|scroll/.test(getComputedStyle(e).overflowX) || scrolls(e.parentElement));
    if ((r.right > innerWidth + 1 || r.left < -1) && !scrolls(pill.parentElement)) {
      problems.push(`${name}: past the screen's edge`);
    }
    const inner = r.height - px(s.paddingTop) - px(s.paddingBottom) - px(s.borderTopWidth) - px(s.borderBottomWidth);
    const lines = Math.round(inner / px(s.lineHeight));
    if (lines <= 1) continue;
    if (pill.closest("td, th")) { problems.push(`${name}: ${lines} lines in a table cell`); continue; }
    // the pill on one line, against the line it has (its parent's content box)
    const before = pill.style.whiteSpace;
    pill.style.whiteSpace = "nowrap";
    const oneLine = pill.getBoundingClientRect().width;
    pill.style.whiteSpace = before;
    const p = getComputedStyle(pill.parentElement);
    const line = pill.parentElement.clientWidth - px(p.paddingLeft) - px(p.paddingRight);
    if (oneLine <= line + 1) {
      problems.push(`${name}: ${lines} lines though one (${Math.round(oneLine)} px) fits in ${Math.round(line)} px`);
    } else if (px(s.borderTopLeftRadius) > px(s.fontSize) * 1.05) {
      problems.push(`${name}: wraps into an oval (corners ${s.borderTopLeftRadius})`);
    }
  }
  return problems;
}"""

# Drop-downs: none past the screen's edge; one whose chosen option is cut (wider than the drop-down,
# measured with a copy holding that option alone) has the whole text written under it, on screen.
DROP_DOWNS = r"""() => {
  const problems = [];
  for (const select of document.querySelectorAll("select")) {
    if (!select.getClientRects().length || select.closest(".site-header")) continue;
    const name = `select[name=${select.name}]`;
    const r = select.getBoundingClientRect();
    if (r.right > innerWidth + 1 || r.left < -1) {
      problems.push(`${name}: past the screen's edge (${Math.round(r.right)} px)`);
      continue;
    }
    if (select.multiple || select.size > 1) continue;
    const option = select.options[select.selectedIndex];
    if (!option) continue;
    const copy = select.cloneNode(false);
    copy.removeAttribute("id");
    copy.append(new Option(option.text));
    Object.assign(copy.style, { position: "absolute", visibility: "hidden", width: "auto", maxWidth: "none" });
    select.parentElement.append(copy);
    const needed = copy.getBoundingClientRect().width;
    copy.remove();
    if (needed <= r.width + 1) continue;
    const whole = select.nextElementSibling;
    if (!whole || !whole.classList.contains("select-whole") || !whole.getClientRects().length) {
      const size = `${Math.round(needed)} px in ${Math.round(r.width)} px`;
      problems.push(`${name}: “${option.text}” is cut (${size}) and not written whole`);
    } else if (whole.textContent !== option.text) {
      problems.push(`${name}: the whole text says “${whole.textContent}”, not “${option.text}”`);
    } else if (whole.getBoundingClientRect().right > innerWidth + 1) {
      problems.push(`${name}: the whole text goes past the screen's edge`);
    }
  }
  return problems;
}"""

# Charts (Chart.js): every text drawn in the canvas fits in it. An axis title no longer than its axis,
# the chart's title lines no wider than the chart and inside it, a legend drawn in the canvas inside its
# width; an HTML legend (charts.js htmlLegend) on screen, its labels wrapped, not cut.
CHARTS = r"""() => {
  const problems = [];
  if (!window.Chart) return problems;
  const canvases = [...document.querySelectorAll("canvas")].filter((c) => Chart.getChart(c));
  for (const canvas of canvases) {
    const chart = Chart.getChart(canvas);
    const name = canvas.dataset.series || canvas.dataset.chart || canvas.id || "chart";
    const ctx = chart.ctx;
    const widest = (lines, font) => {
      ctx.save(); ctx.font = Chart.helpers.toFont(font).string;
      const w = Math.max(...[].concat(lines).map((l) => ctx.measureText(String(l)).width));
      ctx.restore(); return w;
    };
    for (const scale of Object.values(chart.scales)) {
      const title = scale.options.title;
      if (!title || !title.display || !title.text) continue;
      const along = scale.isHorizontal() ? scale.width : scale.height;
      const w = widest(title.text, title.font);
      if (w > along + 1) {
        problems.push(`${name}: the ${scale.id} axis title is ${Math.round(w)} px on a ${Math.round(along)} px axis`);
      }
    }
    const block = chart.titleBlock;
    if (block && block.options.display && block.options.text) {
      const w = widest(block.options.text, block.options.font);
      if (w > chart.width + 1) problems.push(`${name}: a title line is ${Math.round(w)} px, the chart ${chart.width}`);
      if (block.top < -1 || block.bottom > chart.height + 1) problems.push(`${name}: the title is outside the chart`);
    }
    if (chart.legend && chart.legend.options.display) {
      for (const box of chart.legend.legendHitBoxes || []) {
        if (box.left < -1 || box.left + box.width > chart.width + 1) {
          problems.push(`${name}: a legend label runs past the chart's edges`);
        }
      }
    }
  }
  for (const list of document.querySelectorAll(".chart-legend")) {
    const r = list.getBoundingClientRect();
    if (r.right > innerWidth + 1 || r.left < -1) problems.push("an HTML legend is past the screen's edge");
    for (const item of list.children) {
      const b = item.getBoundingClientRect();
      if (b.right > r.right + 1 || b.left < r.left - 1 || item.scrollWidth > item.clientWidth + 1) {
        problems.push(`the legend label “${item.textContent}” is cut`);
      }
    }
  }
  return problems;
}"""

# Words: none cut across two lines ("Stan|dard", "décembr|e": `overflow-wrap: anywhere` in a narrow
# table cell), and no text squeezed into a column a few letters wide (a value beside a long label sized
# as max-content: "Me|ets" a letter a line). Only whole words of letters count: a code ("JBSW Y3DP"), a
# key or an address may break.
WORDS = r"""() => {
  const problems = [];
  const main = document.querySelector("main") || document.body;
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  const squeezed = new Set();
  // visually hidden (for screen readers: clipped to a pixel), not squeezed
  const clipped = (e) => {
    for (let n = e; n && n !== main; n = n.parentElement) {
      const s = getComputedStyle(n);
      if (s.clip !== "auto" || s.clipPath !== "none") return true;
    }
    return false;
  };
  for (let node = walker.nextNode(); node && problems.length < 20; node = walker.nextNode()) {
    const box = node.parentElement;
    const unseen = "script, style, [hidden], [aria-hidden=true], .visually-hidden, svg";
    if (!box || !box.getClientRects().length || box.closest(unseen) || clipped(box)) continue;
    const text = node.textContent;
    const where = `<${box.tagName.toLowerCase()} class="${box.className}">`;
    const lineTops = (range) =>
      new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
    for (const m of text.matchAll(/(?<![\p{L}\p{N}_-])\p{L}{4,}(?![\p{L}\p{N}_-])/gu)) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const tops = lineTops(range);
      if (tops.size > 1) problems.push(`the word “${m[0]}” is cut across ${tops.size} lines (in ${where})`);
    }
    // fewer than four letters a line on average: squeezed (a short code on two lines is not)
    const words = text.trim();
    if (words.length >= 8 && !squeezed.has(box)) {
      const range = document.createRange();
      range.selectNodeContents(node);
      const lines = lineTops(range).size;
      if (lines > 1 && words.length / lines < 4) {
        squeezed.add(box);
        problems.push(`“${words.slice(0, 30)}” squeezed: ${lines} lines (${where})`);
      }
    }
  }
  return problems;
}"""
