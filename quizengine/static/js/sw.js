// Quizengine service worker: caches the app shell so /app opens with no connection.
// Never caches /api/ responses or pages holding a learner's data; those always go to the network.
/* global importScripts */
"use strict";
// "/__ASSETS__" is replaced, when /sw.js is served, by "/assets/<version of the static
// files>": every deploy that changes a file is a new worker with new paths to cache, and a
// page never gets an older release's script from a cache (quizengine/assets.py).
var ASSETS = "/__ASSETS__";
var VERSION = "qe-shell-" + ASSETS.split("/").pop();
var NAVIGATION_TIMEOUT_MS = 3000;
var STATIC_FILES = [
  "css/app.css", "css/offline.css", "favicon.svg", "icons/icon.svg", "icons/icon-192.png",
  "icons/icon-512.png", "js/idb.js", "js/hlc.js", "js/net.js", "js/session.js", "js/outbox.js",
  "js/sync.js", "js/account.js", "js/sync-status.js", "js/mathcheck.js", "js/app-kit.js",
  "js/problem-view.js", "js/note-editor.js", "js/lesson-view.js", "js/app.js"
];
var SHELL = ["/app", "/manifest.webmanifest"].concat(STATIC_FILES.map(function (name) { return ASSETS + "/" + name; }));
var PRIVATE = /^\/(api|practice|lessons|progress|settings|account|login|signup|logout|teach)(\/|$)/;

// The sync engine only: account.js and sync-status.js drive pages, not the worker.
importScripts.apply(null, ["idb", "hlc", "net", "session", "outbox", "sync"].map(function (name) {
  return ASSETS + "/js/" + name + ".js";
}));

// The shell is fetched WITHOUT cookies, so the cached /app never holds a name or a token.
function fetchShell(path) {
  return fetch(new Request(path, {credentials: "omit", cache: "reload"})).then(function (response) {
    if (!response.ok || response.redirected) throw new Error(path + ": " + response.status);
    return response;
  });
}

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(VERSION).then(function (cache) {
    return Promise.all(SHELL.map(function (path) {
      return fetchShell(path).then(function (response) { return cache.put(path, response); });
    }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== VERSION; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

function refreshShell(path) {
  return fetchShell(path).then(function (response) {
    return caches.open(VERSION).then(function (cache) { return cache.put(path, response); });
  }).catch(function () { /* offline: keep the cached copy */ });
}

function offlineShell() {
  return caches.match("/app").then(function (shell) {
    return shell || new Response("You are offline and the offline app is not cached yet.", {
      status: 503, headers: {"Content-Type": "text/plain; charset=utf-8"}
    });
  });
}

// A connection that accepts but never answers ("lie-fi") must not keep the offline app from
// opening: after NAVIGATION_TIMEOUT_MS the cached shell is served, if there is one. Only for
// /app, the page that shell is: another page that is merely slow is still worth waiting for.
function networkOrShell(network) {
  return new Promise(function (resolve) {
    var timer = setTimeout(function () {
      caches.match("/app").then(function (shell) { if (shell) resolve(shell); });
    }, NAVIGATION_TIMEOUT_MS);
    network.then(resolve, function () { resolve(offlineShell()); }).finally(function () { clearTimeout(timer); });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  var path = url.pathname;
  if (path.indexOf("/api/") === 0 || path === "/sw.js") return; // never from the cache

  if (request.mode === "navigate") {
    // Network first; the cached shell when the network fails, or for /app when it stalls.
    var network = fetch(request).then(function (response) {
      if (path === "/app" && response.ok) event.waitUntil(refreshShell("/app"));
      return response;
    });
    event.respondWith(path === "/app" ? networkOrShell(network) : network.catch(offlineShell));
    return;
  }
  if (PRIVATE.test(path)) return;
  if (SHELL.indexOf(path) >= 0) {
    // Stale while revalidate: the cached copy now, a fresh one for next time.
    event.respondWith(caches.match(path).then(function (cached) {
      var refresh = refreshShell(path);
      if (cached) { event.waitUntil(refresh); return cached; }
      return fetch(request);
    }));
  }
});

// Background Sync: push the outbox even after the page has closed. A failed sync that
// left events behind rejects, so the browser schedules another try itself (a timer in
// a service worker dies with it).
self.addEventListener("sync", function (event) {
  if (event.tag !== "qe-sync") return;
  event.waitUntil(self.QE.sync.run().then(function (status) {
    // Retried only when another try may succeed (not signed in, or refused: it would not).
    if (status && status.error && (status.errorKind === "network" || status.errorKind === "server") && status.pending > 0) {
      throw new Error(status.error);
    }
  }));
});

self.addEventListener("message", function (event) {
  if (event.data === "sync") event.waitUntil(self.QE.sync.run());
});
