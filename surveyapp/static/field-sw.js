// The surveyors' service worker (served as /field/service-worker, scope /field/; README "Working
// without a signal"). Pages under /field/ and the static files they use are fetched from the network
// when there is one, and a copy is kept; without a signal the kept copy is shown, so an entry
// page opened once can be opened again and filled in offline. Only GET requests are kept.
// A form posted from an entry page goes to the network as it is (the server's answer comes back
// unchanged: the next blank form, or the form with its problems named). If the network fails or
// does not answer within SEND_TIMEOUT (a weak signal, a captive Wi-Fi: the phone says it is online
// but the post fails), the form is put in the cache under HANDED and the entry page opened again,
// where static/field-offline.js takes it into its waiting list with the key it carries. Forms
// kept without a signal, and sent, are static/field-offline.js's. The copies are deleted on log-out.
"use strict";

var CACHE = "surveyapp-field-v1";
var HANDED = "/field/handed-over/";
// How long (ms) a form sent on a weak signal waits for its answer. A slower one is kept and sent
// again later with the same key, which stores it once even if the first post arrived after all.
var SEND_TIMEOUT = 20000;

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

function isEntryPost(request, url) {
  return request.method === "POST" && request.mode === "navigate" && url.origin === self.location.origin && url.pathname.indexOf("/field/enter/") === 0;
}

function postOrHandOver(request, url) {
  var body = request.clone().text();
  var timeout = new AbortController();
  var timer = setTimeout(function () {
    timeout.abort();
  }, SEND_TIMEOUT);
  return fetch(request, { signal: timeout.signal })
    .finally(function () {
      clearTimeout(timer);
    })
    .catch(function () {
      return body
        .then(function (text) {
          var form = { page: url.pathname, body: text, saved: new Date().toLocaleString("vi-VN") };
          return caches.open(CACHE).then(function (cache) {
            var name = HANDED + Date.now() + "-" + Math.random().toString(36).slice(2);
            return cache.put(name, new Response(JSON.stringify(form)));
          });
        })
        .then(function () {
          return Response.redirect(url.pathname, 303);
        });
    });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (isEntryPost(request, url)) {
    event.respondWith(postOrHandOver(request, url));
    return;
  }
  if (request.method !== "GET" || !isKept(url)) {
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
