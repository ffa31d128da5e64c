// What this device keeps for one person (issue 17): the IndexedDB database "greenlist-offline"
// (pages kept offline, and the outbox of changes not yet sent) and the person's Cache Storage
// cache, which the service worker (static/js/offline/sw.js) reads when there is no network.
//
// IndexedDB is used through a few promise wrappers rather than a library: three stores and five
// operations do not justify a vendored dependency, and every script here stays a classic script
// (no modules, no build step), like the rest of static/js.
(function () {
  "use strict";
  const meta = document.querySelector('meta[name="greenlist-user"]');
  const user = meta ? meta.content : "";
  const DB_NAME = "greenlist-offline";
  // The worker's view of who uses the device and which pages they keep (one small JSON entry in
  // its own cache; Clear-Site-Data on logout removes it with everything else).
  const META_CACHE = "greenlist-meta";
  const WHO = "/__greenlist/who";
  const supported = Boolean(window.indexedDB && window.caches && navigator.serviceWorker);

  function cacheName(id) { return `greenlist-u${id}`; }

  let dbPromise = null;
  function db() {
    if (!dbPromise) {
      dbPromise = new Promise((resolve, reject) => {
        const request = indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = () => {
          const d = request.result;
          const pages = d.createObjectStore("pages", { keyPath: ["user", "url"] });
          pages.createIndex("user", "user");
          const outbox = d.createObjectStore("outbox", { keyPath: "id", autoIncrement: true });
          outbox.createIndex("user", "user");
        };
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
        // Another tab (or logout's Clear-Site-Data) wants the database gone: let it.
        request.onblocked = () => reject(new Error("blocked"));
      }).then((d) => {
        d.onversionchange = () => { d.close(); dbPromise = null; };
        return d;
      });
    }
    return dbPromise;
  }

  function done(request) {
    return new Promise((resolve, reject) => {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  async function store(name, mode) {
    return (await db()).transaction(name, mode).objectStore(name);
  }

  // Everything of one person in a store, oldest first (the outbox's key grows with each change).
  async function allOf(name, who) {
    const rows = await done((await store(name, "readonly")).index("user").getAll(String(who || user)));
    return rows.sort((a, b) => (a.id || 0) - (b.id || 0));
  }

  // --- pages kept offline --------------------------------------------------------------------
  async function tellWorker() {
    // The worker reads this to decide whether to step in at all, and whose cache it may serve.
    // Someone logged out on a device that never kept anything: nothing to say, nothing to create.
    if (!user && !(await caches.has(META_CACHE))) return;
    const urls = user ? (await allOf("pages")).map((p) => p.url) : [];
    const cache = await caches.open(META_CACHE);
    const said = JSON.stringify({ user: user || null, urls });
    const before = await cache.match(WHO);
    if (before && (await before.text()) === said) return; // most pages: nothing new to say
    await cache.put(WHO, new Response(said, { headers: { "Content-Type": "application/json" } }));
    const reg = await navigator.serviceWorker.getRegistration();
    const worker = reg && (reg.active || reg.waiting || reg.installing);
    if (worker) worker.postMessage({ type: "who-changed" });
  }

  // The files a page needs to draw itself: its styles, scripts (the message catalogue too), images,
  // the map's worker and the base map's place names.
  function assetsOf(doc, base) {
    const found = new Set();
    const add = (value) => {
      if (!value) return;
      const url = new URL(value, base);
      if (url.origin === location.origin) found.add(url.pathname + url.search);
    };
    doc.querySelectorAll("link[rel=stylesheet][href], link[rel=manifest][href], link[rel=icon][href]").forEach((el) => add(el.getAttribute("href")));
    doc.querySelectorAll("script[src]").forEach((el) => add(el.getAttribute("src")));
    doc.querySelectorAll("img[src]").forEach((el) => add(el.getAttribute("src")));
    doc.querySelectorAll("[data-worker-url]").forEach((el) => add(el.dataset.workerUrl));
    doc.querySelectorAll('meta[name="basemap-places"]').forEach((el) => add(el.content));
    return found;
  }

  // The fragments a page loads on demand (each indicator's details on the review page: data-part):
  // kept with the page, so that offline its indicators still open.
  function partsOf(doc) {
    return Array.from(doc.querySelectorAll("[data-part]"), (el) => el.dataset.part).filter(Boolean);
  }

  // The fetches below never follow a redirect: one means the session has ended (the login page), and
  // nothing of it is kept; following it would also draw the login page in the background, whose new
  // CSRF cookie, if the device had none, would no longer match a login form open in the tab.
  //
  // Keep this page (and the pages it names with data-offline-also, e.g. the boundary map, and the
  // fragments it loads on demand) on the device for this person.
  async function keepPage(title, also) {
    const cache = await caches.open(cacheName(user));
    const page = location.pathname;
    const urls = new Set([page, "/offline/"]);
    const parts = partsOf(document);
    assetsOf(document, location.href).forEach((u) => urls.add(u));
    parts.forEach((u) => urls.add(u));
    for (const extra of also || []) {
      const response = await fetch(extra, { credentials: "same-origin", redirect: "manual" });
      if (!response.ok) continue;
      const html = await response.clone().text();
      await cache.put(extra, response);
      assetsOf(new DOMParser().parseFromString(html, "text/html"), new URL(extra, location.href).href).forEach((u) => urls.add(u));
    }
    // One by one rather than addAll: a file that fails (e.g. a removed image) does not lose the rest.
    for (const url of urls) {
      try {
        const response = await fetch(url, { credentials: "same-origin", cache: "no-cache", redirect: "manual" });
        if (response.ok && !response.redirected) await cache.put(url, response);
      } catch (e) { /* counted below */ }
    }
    if (!(await cache.match(page, { ignoreVary: true }))) throw new Error("page not kept");
    const os = await store("pages", "readwrite");
    await done(os.put({ user, url: page, title, also: also || [], parts, at: new Date().toISOString() }));
    await tellWorker();
  }

  // A fragment of a kept page seen fresh (an indicator's details opened with a network): its copy
  // on the device is replaced, so that offline it shows what was last seen.
  async function keepPart(page, url, response) {
    if (!user || !supported) return;
    const kept = (await allOf("pages")).find((p) => p.url === page);
    if (kept && (kept.parts || []).includes(url)) await (await caches.open(cacheName(user))).put(url, response);
  }

  // Fetch a kept page again (after saves, its cached copy would show old answers offline), with
  // those of its fragments that `parts` names (the details of the indicators saved).
  async function refreshPage(url, parts) {
    if (!user || !navigator.onLine) return;
    const kept = (await allOf("pages")).find((p) => p.url === url);
    if (!kept) return;
    const cache = await caches.open(cacheName(user));
    for (const u of [url, ...(parts || []).filter((p) => (kept.parts || []).includes(p))]) {
      const response = await fetch(u, { credentials: "same-origin", cache: "no-cache", redirect: "manual" });
      if (response.ok && !response.redirected) await cache.put(u, response);
    }
  }

  async function removePage(url) {
    const kept = (await allOf("pages")).find((p) => p.url === url);
    const cache = await caches.open(cacheName(user));
    await cache.delete(url, { ignoreVary: true });
    for (const extra of (kept && kept.also) || []) await cache.delete(extra, { ignoreVary: true });
    for (const part of (kept && kept.parts) || []) await cache.delete(part, { ignoreVary: true });
    const os = await store("pages", "readwrite");
    await done(os.delete([user, url]));
    const left = await allOf("pages");
    // The last page gone: the shared files go too, so nothing is left behind for this person.
    if (!left.length) await caches.delete(cacheName(user));
    await tellWorker();
  }

  async function isKept(url) {
    return (await allOf("pages")).some((p) => p.url === url);
  }

  // --- the outbox ----------------------------------------------------------------------------
  // One row per change waiting to be sent: {id, user, key, kind, url, method, json | form, page,
  // label, at, state: "pending" | "conflict" | "refused", message}. A newer change to the same
  // thing (the same key) replaces a pending one in place, so it keeps its turn and is sent once.
  async function queue(item) {
    const os = await store("outbox", "readwrite");
    const rows = await done(os.index("user").getAll(String(user)));
    const same = rows.find((r) => r.key === item.key && r.state === "pending");
    const row = Object.assign({}, same || {}, item, { user: String(user), state: "pending", message: "", at: new Date().toISOString() });
    if (same) row.id = same.id;
    await done(os.put(row));
    return row;
  }

  async function update(row) { await done((await store("outbox", "readwrite")).put(row)); }
  async function remove(id) { await done((await store("outbox", "readwrite")).delete(id)); }

  // --- logout ------------------------------------------------------------------------------
  // The server's answer to logout asks the browser to clear the site's caches and storage
  // (Clear-Site-Data); this clears them first as well, for a browser that ignores that header.
  // Changes not yet sent would be lost with them: the person is asked first.
  async function wipe() {
    for (const name of await caches.keys()) await caches.delete(name);
    if (dbPromise) { (await dbPromise.catch(() => null))?.close(); dbPromise = null; }
    await new Promise((resolve) => {
      const request = indexedDB.deleteDatabase(DB_NAME);
      request.onsuccess = request.onerror = request.onblocked = () => resolve();
    });
    for (const key of Object.keys(localStorage)) if (key.startsWith("greenlist:")) localStorage.removeItem(key);
    const reg = await navigator.serviceWorker.getRegistration();
    if (reg) await reg.unregister();
  }

  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!supported || !form.classList || !form.classList.contains("js-logout") || form.dataset.cleared) return;
    event.preventDefault();
    let waiting = [];
    try { waiting = await allOf("outbox"); } catch (e) { waiting = []; }
    const gettext = window.gettext || ((s) => s);
    if (waiting.length && !window.confirm(gettext("Changes made offline are not sent yet. Logging out deletes them from this device. Log out anyway?"))) return;
    try { await wipe(); } catch (e) { /* the server's Clear-Site-Data still clears the device */ }
    form.dataset.cleared = "1";
    form.submit();
  });

  // --- without a network ---------------------------------------------------------------------
  // Any page shown with no network is the copy kept on the device: said at the top.
  function offlineNote() {
    let note = document.getElementById("offline-note");
    if (navigator.onLine) { if (note) note.hidden = true; return; }
    if (!note) {
      note = document.createElement("p");
      note.id = "offline-note";
      note.className = "notice offline-note";
      note.setAttribute("role", "status");
      const main = document.getElementById("main");
      main.prepend(note);
    }
    const gettext = window.gettext || ((s) => s);
    note.textContent = document.querySelector(".map")
      ? gettext("No network: this is the copy kept on this device. The base map is not shown; the boundary is.")
      : gettext("No network: this is the copy kept on this device. Changes wait here until they are sent.");
    note.hidden = false;
  }
  if (user) {
    window.addEventListener("online", offlineNote);
    window.addEventListener("offline", offlineNote);
    offlineNote();
  }
  window.greenlistDevice = {
    supported, user, cacheName, keepPage, keepPart, removePage, refreshPage, isKept, tellWorker,
    pages: () => allOf("pages"),
    outbox: { queue, update, remove, list: () => allOf("outbox") },
  };
  // Every page tells the worker who is using the device now, so that it never serves one person's
  // page to another, nor to someone logged out (the login page says: nobody).
  if (supported) tellWorker().catch(() => {});
})();
