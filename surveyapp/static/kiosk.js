// Desk kiosk pages only (templates/respond/kiosk_base.html): after the page's idle delay
// without a touch or a key (a minute on a form, a few seconds on the thank-you screen), go
// back to the kiosk's start, leaving nothing of the last person's answers on screen. A page
// brought back from the browser's history is left too.
(function () {
  "use strict";
  var idle = document.querySelector('meta[name="kiosk-idle-seconds"]');
  var start = document.querySelector('meta[name="kiosk-start"]');
  if (!idle || !start) {
    return;
  }
  var delay = parseFloat(idle.content) * 1000;
  var timer = null;

  function restart() {
    window.location.replace(start.content);
  }

  function touched() {
    window.clearTimeout(timer);
    timer = window.setTimeout(restart, delay);
  }

  ["pointerdown", "keydown", "input", "scroll", "touchstart"].forEach(function (name) {
    document.addEventListener(name, touched, { capture: true, passive: true });
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      restart();
    }
  });
  touched();
})();
