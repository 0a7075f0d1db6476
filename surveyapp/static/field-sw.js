// The surveyors' service worker (served as /field/service-worker, scope /field/; README "Working
// without a signal"). Pages under /field/ and the static files they use are fetched from the network
// when there is one, and a copy is kept; without a signal the kept copy is shown, so an entry
// page opened once can be opened again and filled in offline. Only GET requests are kept;
// forms are kept and sent by static/field-offline.js. The copies are deleted on log-out.
"use strict";

var CACHE = "surveyapp-field-v1";

self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

function isKept(url) {
  return (
    url.origin === self.location.origin &&
    (url.pathname.indexOf("/field/enter/") === 0 || url.pathname === "/field/" || url.pathname.indexOf("/static/") === 0)
  );
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET" || !isKept(new URL(request.url))) {
    return;
  }
  event.respondWith(
    fetch(request)
      .then(function (response) {
        if (response.ok && !response.redirected) {
          var copy = response.clone();
          caches.open(CACHE).then(function (cache) {
            cache.put(request, copy);
          });
        }
        return response;
      })
      .catch(function () {
        return caches.match(request, { ignoreVary: true }).then(function (kept) {
          return kept || Response.error();
        });
      })
  );
});
