// Live "we read your answer as ..." preview for the practice form.
// The page works without this script; it only adds the preview as you type.
(function () {
  "use strict";
  var form = document.querySelector(".answer-form");
  if (!form) return;
  var box = form.querySelector("textarea[name=answer]");
  var out = document.getElementById("preview");
  if (!box || !out) return;
  var timer = null;
  var latest = 0;

  function field(name) {
    var input = form.querySelector("input[name=" + name + "]");
    return input ? input.value : "";
  }

  function show(data) {
    out.textContent = "";
    if (data.status === "ok") {
      var label = document.createElement("span");
      label.textContent = "We read your answer as ";
      out.appendChild(label);
      var math = document.createElement("span");
      math.innerHTML = data.preview_html; // MathML rendered by our own server
      out.appendChild(math);
    } else if (data.status === "invalid") {
      var pre = document.createElement("pre");
      pre.className = "parse-error";
      pre.textContent = data.error;
      out.appendChild(pre);
    }
  }

  function preview() {
    var ticket = ++latest;
    fetch(form.dataset.previewUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": field("csrf_token")},
      body: JSON.stringify({
        template_id: field("template_id"),
        seed: parseInt(field("seed"), 10),
        level: parseInt(field("level"), 10),
        answer: box.value
      })
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (data) {
      if (data && ticket === latest) show(data);
    }).catch(function () { /* offline: no preview, the answer still submits */ });
  }

  box.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(preview, 250);
  });
  box.addEventListener("keydown", function (event) {
    // Enter submits (Shift+Enter for a new line, as for a matrix row).
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.submit();
    }
  });
  if (box.value) preview();
})();
