// The consultation window form's site picker (progressive enhancement). Without script the form
// sends the name or WDPA id typed, and the server looks it up (offering a choice when several sites
// match). With script, matches are fetched as one types (the staff-only API, same origin) and a
// choice fills the hidden site number; typing again clears it, so the server never opens a window
// on a site other than the one shown.
(function () {
  "use strict";
  const picker = document.getElementById("site-picker");
  if (!picker) return;
  const input = picker.querySelector("#window-site");
  const chosen = picker.querySelector("#window-area");
  const results = picker.querySelector("#window-site-results");
  const status = picker.querySelector("#window-site-status");
  const state = { timer: null, seq: 0 };

  function describe(site) {
    const parts = [];
    if (site.wdpa_id) parts.push(`WDPA ${site.wdpa_id}`);
    if (site.countries.length) parts.push(site.countries.join(", "));
    if (site.designation) parts.push(site.designation);
    return parts.join(" · ");
  }

  function choose(site) {
    input.value = site.name;
    chosen.value = String(site.id);
    results.hidden = true;
    results.textContent = "";
    status.textContent = `${picker.dataset.chosen} ${site.name} (${describe(site)})`;
    input.focus();
  }

  function render(sites) {
    results.textContent = "";
    sites.forEach((site) => {
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "site-choice";
      button.textContent = site.name;
      const detail = document.createElement("span");
      detail.className = "muted small";
      detail.textContent = describe(site);
      button.addEventListener("click", () => choose(site));
      li.append(button, " ", detail);
      results.appendChild(li);
    });
    results.hidden = !sites.length;
    status.textContent = sites.length ? "" : picker.dataset.none;
  }

  async function search(query) {
    const seq = ++state.seq; // answers to older keystrokes are dropped
    try {
      const response = await fetch(`${picker.dataset.search}?${new URLSearchParams({ q: query })}`, {
        credentials: "same-origin", headers: { Accept: "application/json" },
      });
      if (!response.ok) throw new Error(String(response.status));
      const sites = await response.json();
      if (seq === state.seq) render(sites);
    } catch (e) {
      if (seq === state.seq) status.textContent = picker.dataset.failed;
    }
  }

  input.setAttribute("aria-controls", results.id);
  input.addEventListener("input", () => {
    chosen.value = ""; // the text no longer names the chosen site
    clearTimeout(state.timer);
    const query = input.value.trim();
    if (query.length < 2) {
      state.seq++;
      results.hidden = true;
      status.textContent = "";
      return;
    }
    state.timer = setTimeout(() => search(query), 250);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Escape") { results.hidden = true; }
    if (event.key === "ArrowDown" && !results.hidden) {
      const first = results.querySelector("button");
      if (first) { event.preventDefault(); first.focus(); }
    }
  });
  results.addEventListener("keydown", (event) => {
    const buttons = [...results.querySelectorAll("button")];
    const at = buttons.indexOf(document.activeElement);
    if (event.key === "ArrowDown" && at < buttons.length - 1) { event.preventDefault(); buttons[at + 1].focus(); }
    if (event.key === "ArrowUp") { event.preventDefault(); (at > 0 ? buttons[at - 1] : input).focus(); }
    if (event.key === "Escape") { results.hidden = true; input.focus(); }
  });
})();
