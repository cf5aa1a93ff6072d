// A live character count for lesson notes, against the server's limit.
(function () {
  "use strict";
  var box = document.getElementById("note-body");
  var count = document.getElementById("note-count");
  if (!box || !count) return;
  var max = parseInt(box.dataset.max, 10);
  function update() {
    var n = box.value.replace(/\r\n/g, "\n").length;
    count.textContent = n + " / " + max + " characters" + (n > max ? " (too long: " + (n - max) + " over)" : "");
    count.classList.toggle("error", n > max);
  }
  box.addEventListener("input", update);
  update();
})();
