// Surveyors' pages only (templates/field/_offline.html; README "Working without a signal").
// Without a signal, a form sent from an entry page is kept on the phone (localStorage) with a
// form key of its own, taken from a batch the page fetched while online (/field/keys/...), and
// shown as waiting. A form posted with a signal that fails (the phone says online, the post
// does not go through) is handed over by the service worker (static/field-sw.js) and joins the
// waiting list here, with the key its page gave it. When the signal returns (the online event,
// a page opened, or every RETRY ms while forms wait), kept forms go one by one to
// /field/send/...: a stored form leaves the phone; a refused one stays, shown with the reason;
// one sent too soon waits for the next try. Log-out is held while forms wait; otherwise it
// clears what is kept.
(function () {
  "use strict";
  var box = document.getElementById("offline");
  if (!box) {
    return;
  }
  var QUEUE = "surveyapp.field.waiting";
  var REFUSED = "surveyapp.field.refused";
  var KEYS = "surveyapp.field.keys:";
  var USED = "surveyapp.field.used-page-keys";
  var CACHE = "surveyapp-field-v1";
  var HANDED = "/field/handed-over/";
  // A phone on a weak signal may say it is online all along: kept forms are tried again this often.
  var RETRY = 15000;
  var text = box.dataset;
  var form = document.getElementById("questionnaire-form");
  var sending = false;

  function read(name) {
    try {
      return JSON.parse(window.localStorage.getItem(name) || "[]");
    } catch (error) {
      return [];
    }
  }

  function write(name, items) {
    window.localStorage.setItem(name, JSON.stringify(items));
  }

  function say(element, message) {
    element.textContent = message;
    element.hidden = !message;
  }

  function show() {
    var waiting = read(QUEUE);
    say(box.querySelector(".offline-waiting"), waiting.length ? text.waiting.replace("{count}", waiting.length) : "");
    var list = box.querySelector(".offline-refused");
    list.textContent = "";
    read(REFUSED).forEach(function (item, index) {
      var entry = document.createElement("li");
      entry.textContent = text.refused.replace("{saved}", item.saved).replace("{reason}", item.reason) + " ";
      var drop = document.createElement("button");
      drop.type = "button";
      drop.className = "link";
      drop.textContent = text.drop;
      drop.addEventListener("click", function () {
        var refused = read(REFUSED);
        refused.splice(index, 1);
        write(REFUSED, refused);
        show();
      });
      entry.appendChild(drop);
      list.appendChild(entry);
    });
    list.hidden = !list.children.length;
  }

  function fetchKeys() {
    if (!text.keysUrl || !navigator.onLine) {
      return Promise.resolve();
    }
    // A key issued more than half its life ago is dropped while there is a signal to replace
    // it: a form typed with it could otherwise not be sent before it expires.
    var kept = read(KEYS + text.sendUrl).filter(function (key) {
      return Date.now() / 1000 - parseInt(key.split(".")[1], 10) < text.keyMaxAge / 2;
    });
    write(KEYS + text.sendUrl, kept);
    if (kept.length >= 5) {
      return Promise.resolve();
    }
    return fetch(text.keysUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (batch) {
        if (batch) {
          write(KEYS + text.sendUrl, read(KEYS + text.sendUrl).concat(batch.keys));
        }
      })
      .catch(function () {});
  }

  function sendWaiting() {
    var waiting = read(QUEUE);
    if (sending || !navigator.onLine || !waiting.length) {
      return Promise.resolve();
    }
    sending = true;
    // A fresh CSRF token: the one a kept form carries may belong to an earlier session.
    return fetch(waiting[0].keysUrl, { credentials: "same-origin", headers: { Accept: "application/json" }, signal: AbortSignal.timeout(RETRY) })
      .then(function (response) {
        return response.ok ? response.json() : Promise.reject(new Error("not logged in"));
      })
      .then(function (batch) {
        return waiting.reduce(function (chain, item) {
          return chain.then(function () {
            var body = new URLSearchParams(item.body);
            body.set("csrf_token", batch.csrf_token);
            return fetch(item.url, { method: "POST", body: body, credentials: "same-origin", signal: AbortSignal.timeout(RETRY) })
              .then(function (response) {
                return response.ok ? response.json() : null;
              })
              .then(function (answer) {
                if (!answer || answer.result === "wait") {
                  return;
                }
                write(
                  QUEUE,
                  read(QUEUE).filter(function (other) {
                    return other.key !== item.key;
                  })
                );
                if (answer.result === "refused") {
                  write(REFUSED, read(REFUSED).concat([{ saved: item.saved, reason: answer.reason }]));
                }
              });
          });
        }, Promise.resolve());
      })
      .catch(function () {})
      .then(function () {
        sending = false;
        show();
      });
  }

  function queue(body, saved) {
    var key = new URLSearchParams(body).get("form_key");
    write(QUEUE, read(QUEUE).concat([{ url: text.sendUrl, keysUrl: text.keysUrl, key: key, body: body, saved: saved }]));
  }

  // Forms of this entry page that the service worker kept when their post failed.
  function takeHandedOver() {
    if (!window.caches || !text.sendUrl) {
      return Promise.resolve();
    }
    return window.caches.open(CACHE).then(function (cache) {
      return cache.keys().then(function (requests) {
        var handed = requests.filter(function (request) {
          return new URL(request.url).pathname.indexOf(HANDED) === 0;
        });
        return handed.reduce(function (chain, request) {
          return chain.then(function () {
            return cache.match(request).then(function (response) {
              return response.json().then(function (form) {
                if (form.page !== window.location.pathname) {
                  return;
                }
                queue(form.body, form.saved);
                say(box.querySelector(".offline-note"), text.kept);
                return cache.delete(request);
              });
            });
          });
        }, Promise.resolve());
      });
    });
  }

  // Each form sent carries a key of its own: one of the batch, else the page's own the first time.
  // A copy of the page opened again without a signal carries the key it was served with, and a
  // second form sent with that key would be taken for the first one sent again, and dropped.
  function takeKey() {
    var keys = read(KEYS + text.sendUrl);
    var key = keys.shift();
    write(KEYS + text.sendUrl, keys);
    if (key) {
      return key;
    }
    var own = form.elements.form_key.value;
    var used = read(USED);
    if (used.indexOf(own) >= 0) {
      return null;
    }
    write(USED, used.concat([own]).slice(-100));
    return own;
  }

  function keep(event) {
    var key = takeKey();
    if (!key) {
      event.preventDefault();
      say(box.querySelector(".offline-note"), text.noKey);
      return;
    }
    form.elements.form_key.value = key;
    if (navigator.onLine) {
      return; // posted as it is; the service worker keeps it if the post fails (static/field-sw.js)
    }
    event.preventDefault();
    queue(new URLSearchParams(new FormData(form)).toString(), new Date().toLocaleString("vi-VN"));
    form.reset();
    window.scrollTo(0, 0);
    say(box.querySelector(".offline-note"), text.kept);
    show();
  }

  function holdLogOut(event) {
    if (read(QUEUE).length) {
      event.preventDefault();
      say(box.querySelector(".offline-note"), text.holdLogOut);
      return;
    }
    Object.keys(window.localStorage)
      .filter(function (name) {
        return name.indexOf("surveyapp.field.") === 0;
      })
      .forEach(function (name) {
        window.localStorage.removeItem(name);
      });
    if (window.caches) {
      // The kept pages go before the log-out is sent: leaving the page could cut it short.
      event.preventDefault();
      var logOut = event.target;
      logOut.removeEventListener("submit", holdLogOut);
      window.caches.delete(CACHE).finally(function () {
        logOut.submit();
      });
    }
  }

  if (form && text.sendUrl) {
    form.addEventListener("submit", keep);
  }
  document.querySelectorAll('form[action$="/logout"]').forEach(function (logOut) {
    logOut.addEventListener("submit", holdLogOut);
  });
  window.addEventListener("online", function () {
    say(box.querySelector(".offline-note"), "");
    fetchKeys().then(sendWaiting);
  });
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(text.workerUrl, { scope: text.scope }).then(function () {
      // This page and its files came before the worker: keep a copy for when there is no signal.
      if (window.caches && navigator.onLine) {
        var files = Array.prototype.map.call(document.querySelectorAll("script[src], link[href]"), function (file) {
          return file.src || file.href;
        });
        window.caches.open(CACHE).then(function (cache) {
          return cache.addAll(files).then(function () {
            return cache.add(window.location.pathname);
          });
        });
      }
    });
  }
  window.setInterval(function () {
    if (read(QUEUE).length) {
      sendWaiting();
    }
  }, RETRY);
  takeHandedOver()
    .catch(function () {})
    .then(function () {
      show();
      return fetchKeys();
    })
    .then(sendWaiting);
})();
