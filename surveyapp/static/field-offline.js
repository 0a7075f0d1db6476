// Surveyors' pages only (templates/field/_offline.html; README "Working without a signal").
// Without a signal, a form sent from an entry page is kept on the phone (localStorage) with a
// form key of its own, taken from a batch the page fetched while online (/field/keys/...), and
// shown as waiting. A form posted with a signal that fails (the phone says online, the post
// does not go through) is handed over by the service worker (static/field-sw.js) and joins the
// waiting list here, with the key its page gave it. When the signal returns (the online event,
// a page opened, or every RETRY ms while forms wait), kept forms go one by one to
// /field/send/...: a stored form leaves the phone; a refused one stays with its answers, shown
// with the reason, until the surveyor puts it aside or loads it back into the entry form to
// correct and send it again; one sent too soon waits for the next try. The service saying the
// form is not the surveyor's to send (403: the unit taken from them, 404: the point gone) is a
// refusal too, so no form waits forever. Log-out with forms on the phone asks for a second
// tap (they are deleted with everything kept).
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
  var logOutWarned = false;

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
      if (item.body && form && text.sendUrl && item.page === window.location.pathname) {
        entry.appendChild(button(text.loadBack, function () {
          putAside(index);
          loadBack(item.body);
        }));
        entry.appendChild(document.createTextNode(" · "));
      } else if (item.body && item.page) {
        var elsewhere = document.createElement("a");
        elsewhere.href = item.page;
        elsewhere.textContent = text.openPage;
        entry.appendChild(elsewhere);
        entry.appendChild(document.createTextNode(" · "));
      }
      entry.appendChild(button(text.drop, function () {
        putAside(index);
      }));
      list.appendChild(entry);
    });
    list.hidden = !list.children.length;
  }

  function button(label, action) {
    var element = document.createElement("button");
    element.type = "button";
    element.className = "link";
    element.textContent = label;
    element.addEventListener("click", action);
    return element;
  }

  function putAside(index) {
    var refused = read(REFUSED);
    refused.splice(index, 1);
    write(REFUSED, refused);
    show();
  }

  // A refused form's answers back in the entry form, to be corrected and sent: the page's own
  // CSRF token and key stay (a form sent takes a fresh key, see takeKey).
  function loadBack(body) {
    var values = new URLSearchParams(body);
    form.reset();
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || field.type === "hidden" || field.type === "submit" || field.type === "button") {
        return;
      }
      if (field.type === "checkbox" || field.type === "radio") {
        field.checked = values.getAll(field.name).indexOf(field.value) >= 0;
      } else {
        field.value = values.get(field.name) || "";
      }
    });
    say(box.querySelector(".offline-note"), text.loadedBack);
    box.scrollIntoView();
  }

  // What the service says by its status that a form is not this surveyor's to send: it would
  // say so again on every try. A CSRF token out of date (400), too many requests (429), a
  // server error or no answer are tried again.
  function refusalFor(response) {
    if (response.status === 403) {
      return text.refusedForbidden;
    }
    if (response.status === 404) {
      return text.refusedGone;
    }
    if (response.status > 400 && response.status < 500 && response.status !== 429) {
      return text.refusedStatus.replace("{status}", response.status);
    }
    return null;
  }

  // Off the waiting list: stored, or refused for ``reason`` and then kept with its answers.
  function settle(item, reason) {
    write(
      QUEUE,
      read(QUEUE).filter(function (other) {
        return other.key !== item.key;
      })
    );
    if (reason !== null) {
      write(REFUSED, read(REFUSED).concat([Object.assign({}, item, { reason: reason })]));
    }
  }

  // A fresh CSRF token, taken with the keys of the form's point: the one a kept form carries may
  // belong to an earlier session. A point refused to this surveyor gives none, and its reason.
  function freshToken(item) {
    return fetch(item.keysUrl, { credentials: "same-origin", headers: { Accept: "application/json" }, signal: AbortSignal.timeout(RETRY) })
      .then(function (response) {
        var reason = refusalFor(response);
        if (reason) {
          return { reason: reason };
        }
        return response.ok ? response.json() : Promise.reject(new Error("not logged in"));
      });
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
    var token = null;
    return waiting
      .reduce(function (chain, item) {
        return chain.then(function () {
          return (token ? Promise.resolve({ csrf_token: token }) : freshToken(item)).then(function (batch) {
            if (batch.reason) {
              settle(item, batch.reason);
              return;
            }
            token = batch.csrf_token;
            var body = new URLSearchParams(item.body);
            body.set("csrf_token", token);
            return fetch(item.url, { method: "POST", body: body, credentials: "same-origin", signal: AbortSignal.timeout(RETRY) })
              .then(function (response) {
                var reason = refusalFor(response);
                if (reason) {
                  return { result: "refused", reason: reason };
                }
                return response.ok ? response.json() : null;
              })
              .then(function (answer) {
                if (answer && answer.result !== "wait") {
                  settle(item, answer.result === "refused" ? answer.reason : null);
                }
              });
          });
        });
      }, Promise.resolve())
      .catch(function () {})
      .then(function () {
        sending = false;
        show();
      });
  }

  function queue(body, saved) {
    var key = new URLSearchParams(body).get("form_key");
    var item = { url: text.sendUrl, keysUrl: text.keysUrl, page: window.location.pathname, key: key, body: body, saved: saved };
    write(QUEUE, read(QUEUE).concat([item]));
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

  // Forms still on the phone are deleted with the rest: the first tap says so, a second logs out.
  // Log-out is never held for good: the phone may be handed to the next surveyor.
  function logOut(event) {
    var kept = read(QUEUE).length + read(REFUSED).length;
    if (kept && !logOutWarned) {
      event.preventDefault();
      logOutWarned = true;
      say(box.querySelector(".offline-note"), text.logOutAnyway.replace("{count}", kept));
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
      var logOutForm = event.target;
      logOutForm.removeEventListener("submit", logOut);
      window.caches.delete(CACHE).finally(function () {
        logOutForm.submit();
      });
    }
  }

  if (form && text.sendUrl) {
    form.addEventListener("submit", keep);
  }
  document.querySelectorAll('form[action$="/logout"]').forEach(function (logOutForm) {
    logOutForm.addEventListener("submit", logOut);
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
