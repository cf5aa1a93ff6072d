// Sync on a page: registers the service worker, shows the sync status line in the footer, and
// starts a sync on load, on `online`, on a timer and when the page is shown again.
(function () {
  "use strict";
  var QE = window.QE;

  if (navigator.serviceWorker) {
    navigator.serviceWorker.register("/sw.js", {scope: "/"}).catch(function () {
      /* no service worker (private mode, http): the pages still work online */
    });
  }

  function words(n, one, many) { return n + " " + (n === 1 ? one : many); }

  function timeText(ms) {
    return new Date(ms).toLocaleTimeString([], {hour: "2-digit", minute: "2-digit", second: "2-digit"});
  }

  function renderStatus(st) {
    var el = document.getElementById("sync-status");
    if (!el) return;
    el.hidden = false;
    var parts = [];
    if (!st.user) {
      parts.push(st.pending ? words(st.pending, "change", "changes") + " saved on this device only (not signed in)" : "Not signed in: practice is saved on this device only");
    } else if (st.running) {
      parts.push("Syncing…");
    } else {
      parts.push(st.pending ? words(st.pending, "change", "changes") + " saved on this device, waiting to sync" :
        st.refused ? "Synced, except " + words(st.refused.count, "change", "changes") + " the server did not accept" : "All changes synced");
    }
    if (st.user) parts.push(st.lastSync ? "last synced " + timeText(st.lastSync) : "not synced yet");
    if (st.skewMs && Math.abs(st.skewMs) > 5 * 60000) {
      parts.push("this device's clock is " + Math.round(Math.abs(st.skewMs) / 60000) + " minutes " + (st.skewMs > 0 ? "ahead" : "behind"));
    }
    el.textContent = "Sync: " + parts.join(" · ");
    el.dataset.pending = String(st.pending);
    el.dataset.state = st.error ? "error" : st.pending ? "pending" : st.refused ? "refused" : "ok";
    if (st.user && st.refused) renderRefused(el, st);
    if (st.error) {
      var err = document.createElement("span");
      err.className = "sync-error";
      err.textContent = " · " + (st.errorKind === "auth" ? "Sign in to sync: " : "Last error: ") + st.error;
      el.appendChild(err);
      if (st.errorKind === "auth") {
        el.appendChild(document.createTextNode(" "));
        var link = document.createElement("a");
        link.href = "/login?next=" + encodeURIComponent(location.pathname);
        link.textContent = "Sign in";
        el.appendChild(link);
      }
    }
  }

  // What the server would not take stays marked where it was made; this says so once.
  function renderRefused(el, st) {
    var said = el.appendChild(document.createElement("span"));
    said.className = "sync-error";
    said.textContent = " · Not accepted by the server: " + st.refused.last + " ";
    var ok = el.appendChild(document.createElement("button"));
    ok.type = "button"; ok.className = "link-button"; ok.textContent = "Dismiss";
    ok.addEventListener("click", function () { QE.sync.dismissRefused(st.owner); });
  }

  QE.sync.onChange(renderStatus);

  var run = QE.sync.run;
  window.addEventListener("online", function () { run(); });
  setInterval(run, QE.sync.TIMER_MS);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) QE.sync.soon(100); });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { run(); });
  else run();
})();
