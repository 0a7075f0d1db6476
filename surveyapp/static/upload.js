// Upload forms (form[data-upload]): the file is sent by XMLHttpRequest so that a bar shows
// how much of it has gone; the page the server answers then replaces this one, as after an
// ordinary post. Without JavaScript the same form posts normally.
(function () {
  "use strict";

  function megabytes(bytes) {
    var options = { minimumFractionDigits: 1, maximumFractionDigits: 1 };
    return (bytes / 1048576).toLocaleString(document.documentElement.lang || undefined, options);
  }

  function showAnswer(request) {
    var address = request.responseURL || window.location.href;
    document.open();
    document.write(request.responseText);
    document.close();
    window.history.replaceState(null, "", address);
  }

  function send(form, event) {
    var box = form.querySelector(".upload-progress");
    if (!box || !window.FormData || !window.XMLHttpRequest) {
      return;
    }
    event.preventDefault();
    var bar = box.querySelector("progress");
    var label = box.querySelector(".progress-label");
    var buttons = form.querySelectorAll("button[type=submit]");
    var data = new FormData(form);
    if (event.submitter && event.submitter.name) {
      data.append(event.submitter.name, event.submitter.value);
    }
    var request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.upload.addEventListener("progress", function (progress) {
      if (progress.lengthComputable) {
        bar.value = Math.round((progress.loaded * 100) / progress.total);
        label.textContent = label.dataset.sending + ": " + bar.value + "% (" +
          megabytes(progress.loaded) + " / " + megabytes(progress.total) + " MB)";
      }
    });
    request.upload.addEventListener("load", function () {
      bar.removeAttribute("value"); // the server reads the file now: an indeterminate bar
      label.textContent = label.dataset.processing;
    });
    request.addEventListener("load", function () {
      showAnswer(request);
    });
    request.addEventListener("error", function () {
      label.textContent = label.dataset.failed;
      buttons.forEach(function (button) { button.disabled = false; });
    });
    buttons.forEach(function (button) { button.disabled = true; });
    bar.value = 0;
    label.textContent = label.dataset.sending + "…";
    box.hidden = false;
    request.send(data);
  }

  document.addEventListener("submit", function (event) {
    if (event.target.matches("form[data-upload]")) {
      send(event.target, event);
    }
  });
})();
