// The service worker (issue 17), served from /sw.js (greenlist.offline.service_worker) so that its
// scope is the whole site.
//
// It steps in only for a person who kept pages offline on this device (static/js/offline/device.js
// writes who that is, and which pages, to the "greenlist-meta" cache): then every GET of this
// origin goes to the network first, so data is always fresh when there is a network (the server
// answers conditional requests cheaply), and falls back to that person's own cache
// ("greenlist-u<id>") when there is none. Nobody else's cache is ever read: a device used by
// someone else, or by nobody since logout, gets nothing from it.
"use strict";

const META_CACHE = "greenlist-meta";
const WHO = "/__greenlist/who";
let who = null; // {user, urls}: null until read from the cache

async function readWho() {
  const cache = await caches.open(META_CACHE);
  const response = await cache.match(WHO);
  who = response ? await response.json() : { user: null, urls: [] };
  return who;
}

async function personChanged(user) {
  who = { user, urls: [] };
  const cache = await caches.open(META_CACHE);
  await cache.put(WHO, new Response(JSON.stringify(who), { headers: { "Content-Type": "application/json" } }));
}

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim().then(readWho)));
self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "who-changed") event.waitUntil(readWho());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname === "/sw.js") return;
  // Known to keep nothing: the browser's own handling, untouched.
  if (who && (!who.user || !who.urls.length)) return;
  // Not known yet (the worker just started): only a navigation waits to find out; the files a page
  // asks for come after it, by when the answer is known.
  if (!who && request.mode !== "navigate") {
    event.waitUntil(readWho());
    return;
  }
  event.respondWith(networkFirst(request, url));
});

async function networkFirst(request, url) {
  const state = who || (await readWho());
  if (!state.user || !state.urls.length) return fetch(request);
  const cacheName = `greenlist-u${state.user}`;
  try {
    const response = await fetch(request);
    // A kept page seen fresh replaces its cached copy (only a full answer from the server, not a
    // redirect to the login page), and only when drawn for this cache's person (the server names
    // them in Greenlist-User): after someone else signs in on this device, without a logout, the
    // worker holds the previous person until the new page tells it, and must not file the new
    // person's page (their name, their token) under the previous one.
    const drawnFor = response.headers.get("Greenlist-User");
    if (request.mode === "navigate" && drawnFor && drawnFor !== String(state.user)) {
      // Someone else is signed in now: from this moment the previous person's cache is never
      // served, even if the network drops before the new page has told us who they are (their
      // pages come from device.js, which rewrites this entry with them on its first run).
      await personChanged(drawnFor);
    } else if (request.mode === "navigate" && response.status === 200 && !response.redirected && state.urls.includes(url.pathname)) {
      const copy = response.clone();
      caches.open(cacheName).then((cache) => cache.put(url.pathname, copy));
    }
    return response;
  } catch (error) {
    const cache = await caches.open(cacheName);
    // Cached responses vary on the cookie and the language; the cache is this person's alone.
    const navigate = request.mode === "navigate";
    const hit = await cache.match(navigate ? url.pathname : request, { ignoreVary: true, ignoreSearch: navigate });
    if (hit) return hit;
    if (navigate) {
      const list = await cache.match("/offline/", { ignoreVary: true });
      if (list) return list;
    }
    throw error;
  }
}
