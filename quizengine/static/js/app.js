// The offline app (/app): routing between practice (problem-view.js) and lessons
// (lesson-view.js), and bringing the view up to date after each sync (sync.js). Everything is
// saved on this device first.
(function () {
  "use strict";
  var QE = window.QE;
  var app = QE.app, view = app.view, $ = app.$;

  function renderWho(status) {
    var who = $("app-who");
    var offline = status && status.errorKind === "network";
    if (view.user) {
      who.textContent = "Signed in as " + view.user.display_name + ". Answers save on this device first, then sync to your account." + (offline ? " You are offline: everything you do is kept here until the server is reachable." : "");
    } else {
      who.textContent = "Practising without an account: everything saves on this device. Sign in or create an account to keep it and use it on other devices." + (offline ? " You are offline." : "");
    }
  }

  async function route() {
    var hash = location.hash || "#practice";
    var lessonMatch = /^#lesson\/(.+)$/.exec(hash);
    var showLessons = hash === "#lessons" || !!lessonMatch;
    $("practice-view").hidden = showLessons;
    $("lessons-view").hidden = !showLessons;
    $("tab-practice").toggleAttribute("aria-current", !showLessons);
    $("tab-lessons").toggleAttribute("aria-current", showLessons);
    if (!showLessons) $("tab-practice").setAttribute("aria-current", "page"); else $("tab-lessons").setAttribute("aria-current", "page");
    await app.session();
    renderWho(QE.sync.status());
    if (showLessons) {
      var area = $("lesson-area");
      if (lessonMatch) await app.lessons.renderLesson(area, decodeURIComponent(lessonMatch[1]));
      else await app.lessons.renderLessonList(area);
    } else {
      await app.practice.renderProblem(false);
      await app.practice.refreshLists();
    }
  }

  var lastOwner = null;
  async function onSync(status) {
    if (status.running) return;
    await app.session();
    var ownerChanged = lastOwner !== null && lastOwner !== view.owner;
    lastOwner = view.owner;
    renderWho(status);
    if (!$("practice-view").hidden) {
      if (ownerChanged && !view.touched) { view.answered = null; await app.practice.renderProblem(true); }
      else if (view.answered) await app.practice.renderVerdict();
      else await app.practice.renderProblem(false);
      await app.practice.refreshLists();
    } else if (!document.getElementById("note-body") || (ownerChanged && !app.noteEditor.hasChanges())) {
      await route();
    } else {
      if (ownerChanged) app.noteEditor.accountChanged(view.user);
      var open = /^#lesson\/(.+)$/.exec(location.hash);
      if (open) await app.lessons.renderLessonSaves(decodeURIComponent(open[1]));
    }
    document.body.dataset.synced = String(Date.now());
  }

  async function init() {
    QE.sync.wantPack();
    QE.sync.onChange(function (status) { onSync(status); });
    // Claimed: the anonymous practice is the account's now. A note being edited stays as typed.
    document.addEventListener("qe:claimed", function () { if (!app.noteEditor.hasChanges()) route(); });
    window.addEventListener("hashchange", route);
    await app.session();
    lastOwner = view.owner;
    await route();
    QE.sync.run();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
