// "Make available offline" on the assessment and review pages, and the list of what this device
// keeps (/offline/) (issue 17).
(function () {
  "use strict";
  const device = window.greenlistDevice;
  const gettext = window.gettext || ((s) => s);
  const interpolate = window.interpolate || ((fmt, obj) => fmt.replace(/%\((\w+)\)s/g, (_m, k) => obj[k]));
  if (!device) return;
  if (!device.supported) {
    document.querySelectorAll(".js-offline-unsupported").forEach((el) => (el.hidden = false));
    return;
  }

  // --- the button ----------------------------------------------------------------------------
  const controls = document.querySelector(".js-keep-offline");
  const say = (text) => {
    const status = document.querySelector(".js-keep-status");
    if (status) status.textContent = text;
  };
  async function showKept() {
    const kept = await device.isKept(location.pathname);
    controls.dataset.kept = kept ? "1" : "";
    controls.querySelector(".js-keep").hidden = kept;
    controls.querySelector(".js-unkeep").hidden = !kept;
    controls.querySelector(".js-kept-note").hidden = !kept;
    return kept;
  }
  if (controls) {
    controls.hidden = false;
    showKept();
    controls.querySelector(".js-keep").addEventListener("click", async (event) => {
      const button = event.currentTarget;
      button.disabled = true;
      say(gettext("Keeping this page on the device…"));
      try {
        const also = (controls.dataset.also || "").split(" ").filter(Boolean);
        await device.keepPage(document.title, also);
        await showKept();
        say(gettext("Available offline: this page opens without a network."));
        controls.querySelector(".js-unkeep").focus();
      } catch (e) {
        say(gettext("Could not keep this page offline. Try again with a network."));
      }
      button.disabled = false;
    });
    controls.querySelector(".js-unkeep").addEventListener("click", async () => {
      await device.removePage(location.pathname);
      await showKept();
      say(gettext("Removed from this device."));
      controls.querySelector(".js-keep").focus();
    });
    // Answers saved since the page was kept: its cached copy is fetched again, so that offline it
    // shows them (a little after the last save, not after every keystroke).
    // The fragments of the rows saved (an indicator's details, event.detail.part) are fetched again too.
    let timer = null;
    const savedParts = new Set();
    document.addEventListener("offline:saved", (event) => {
      if (controls.dataset.kept !== "1" || !navigator.onLine) return;
      if (event.detail && event.detail.part) savedParts.add(event.detail.part);
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const waiting = (await device.outbox.list()).some((i) => i.page === location.pathname && (i.state === "pending" || i.state === "sending"));
        if (waiting) return;
        const parts = [...savedParts];
        savedParts.clear();
        device.refreshPage(location.pathname, parts).catch(() => {});
      }, 2000);
    });
  }

  // --- the list of what this device keeps ----------------------------------------------------
  const list = document.querySelector(".js-offline-pages");
  async function drawList() {
    const pages = await device.pages();
    list.replaceChildren();
    for (const page of pages) {
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = page.url;
      a.textContent = page.title;
      const when = document.createElement("span");
      when.className = "muted small";
      when.textContent = interpolate(gettext("kept on %(date)s"), { date: window.greenlistShortDateTime(page.at) }, true);
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "button secondary small";
      remove.textContent = gettext("Remove");
      remove.setAttribute("aria-label", interpolate(gettext("Remove %(title)s from this device"), { title: page.title }, true));
      remove.addEventListener("click", async () => {
        await device.removePage(page.url);
        await drawList();
        const heading = document.getElementById("offline-pages-title");
        heading.setAttribute("tabindex", "-1");
        heading.focus();
      });
      li.append(a, " ", when, " ", remove);
      list.append(li);
    }
    document.querySelector(".js-offline-none").hidden = pages.length > 0;
  }
  if (list) drawList();
})();
