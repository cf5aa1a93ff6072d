// The problem set builder's live preview: example variants of a template at the
// chosen level, fetched as a rendered fragment. Without JavaScript, the links
// open the fragment and the "Preview chosen problems" button previews on the server.
(function () {
  "use strict";
  var form = document.querySelector(".set-builder");
  if (!form) return;
  var target = document.getElementById("live-preview");
  var base = form.getAttribute("data-preview-url");
  var latest = 0;  // only the newest request may fill the preview

  function show(templateId) {
    var level = document.getElementById("level-" + templateId).value;
    var url = base + "?template_id=" + encodeURIComponent(templateId) + "&level=" + encodeURIComponent(level);
    var mine = ++latest;
    target.textContent = "Loading preview…";
    fetch(url, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) { if (mine === latest) target.innerHTML = html; })
      .catch(function () { if (mine === latest) target.textContent = "Preview unavailable."; });
  }

  form.addEventListener("click", function (event) {
    var link = event.target.closest(".preview-link");
    if (!link) return;
    event.preventDefault();
    show(link.getAttribute("data-template"));
  });
  form.addEventListener("change", function (event) {
    var name = event.target.name || "";
    if (name.indexOf("level-") === 0 || (name.indexOf("count-") === 0 && event.target.value !== "0")) {
      show(name.slice(6));
    }
  });
})();
