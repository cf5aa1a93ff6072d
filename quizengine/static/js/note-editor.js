// The note editor of a lesson in the offline app (QE.app.noteEditor). Notes are last writer
// wins by hybrid logical clock, so a version from another device can arrive while the editor
// is open: it is shown at once if the learner has not changed the text, and otherwise the
// learner chooses between it and their own text. Neither is ever dropped unseen.
(function () {
  "use strict";
  var QE = window.QE;
  var app = QE.app, el = app.el;
  var MAX_NOTE = 8000;
  var CHOOSE = "Not saved yet: first choose which version to keep.";
  // Each editor's state, by its form: {id, form, box, said, base, loaded, conflict, told, moved}.
  var editors = new WeakMap();

  function bodyOf(note) { return note && note.type === "note.put" ? note.payload.body : ""; }
  function textOf(box) { return box.value.replace(/\r\n/g, "\n"); }
  function edited(ed) { return textOf(ed.box) !== ed.loaded; }

  async function latest(id) { return (await app.notes())[id] || null; }

  // A version the editor has not shown yet: written after the one it loaded or saved.
  function isNewer(note, ed) {
    if (!note || (ed.base && note.id === ed.base.id)) return false;
    return !ed.base || app.replayKey(note) > app.replayKey(ed.base);
  }

  // Where a version came from, in the learner's words.
  async function origin(note, ed) {
    if (ed && ed.moved) return {where: "in the account signed in here now", other: "that account's version"};
    var here = note.device_id === (await QE.sync.deviceId());
    return here ? {where: "in another tab on this device", other: "the other tab's version"} :
      {where: "on another device", other: "the other device's version"};
  }

  // Show `note` in the editor as the version the learner now edits from.
  function load(ed, note) {
    ed.box.value = bodyOf(note);
    ed.base = note;
    ed.loaded = textOf(ed.box);
    ed.update();
  }

  function say(ed, words, error) {
    ed.said.textContent = words;
    ed.said.classList.toggle("error", !!error);
  }

  // A newer version arrived: take it over an unchanged editor, or ask over unsaved changes.
  async function arrive(ed, note) {
    var from = await origin(note, ed);
    var deleted = note.type !== "note.put";
    if (!edited(ed) && !ed.conflict) {
      load(ed, note);
      ed.told = true;
      say(ed, deleted ? "This note was deleted " + from.where + "." : "Updated: this note was changed " + from.where + ".");
      return;
    }
    ask(ed, note, from, deleted);
  }

  function ask(ed, note, from, deleted) {
    closeConflict(ed);
    var theirs = el("textarea", {id: "note-theirs", rows: "4", readonly: "readonly"});
    theirs.value = bodyOf(note);
    var take = el("button", {type: "button", className: "button secondary", id: "note-take-theirs",
                             text: deleted ? "Delete my text too" : "Load " + from.other});
    var keep = el("button", {type: "button", className: "button", id: "note-keep-mine", text: "Keep mine"});
    var box = el("div", {className: "notice", id: "note-conflict", role: "alert"}, [
      el("p", {text: "This note was " + (deleted ? "deleted " : "changed ") + from.where + " while you were editing it. " +
        "Your text is still in the box above and is not saved. " + (deleted ? "Delete it too, or keep it?" : "Choose which version to keep.")}),
      deleted ? null : el("label", {"for": "note-theirs", text: from.other.replace(/^the/, "The")}), deleted ? null : theirs,
      el("p", {className: "actions"}, [take, keep])
    ]);
    ed.conflict = {note: note, box: box};
    ed.form.insertBefore(box, ed.said);
    say(ed, "");
    take.addEventListener("click", function () {
      closeConflict(ed); ed.moved = null;
      load(ed, note);
      say(ed, deleted ? "Your text was cleared: this note stays deleted." : "Loaded " + from.other + ".");
    });
    keep.addEventListener("click", function () {
      closeConflict(ed); ed.moved = null;
      ed.base = note; // seen and set aside: saving now replaces it
      ed.loaded = bodyOf(note);
      say(ed, deleted ? "Keeping your text: Save note to keep it." : "Keeping your text. Save note to put it in place of " + from.other + ".");
      ed.box.focus();
    });
  }

  function closeConflict(ed) {
    if (ed.conflict) ed.conflict.box.remove();
    ed.conflict = null;
  }

  // Before a save or delete: a version not seen yet must be seen first. True when it stops the save.
  async function catchUp(ed) {
    if (ed.conflict) { say(ed, CHOOSE, true); ed.conflict.box.querySelector("button").focus(); return true; }
    var note = await latest(ed.id);
    if (!isNewer(note, ed)) return false;
    await arrive(ed, note);
    if (ed.conflict) say(ed, CHOOSE, true);
    return true;
  }

  // After a sync: a newer version of the open note, or whether the server took the one saved here.
  async function refresh(id) {
    var form = document.getElementById("note-form");
    var ed = form && editors.get(form);
    if (!ed || ed.id !== id) return;
    var note = await latest(id);
    if (isNewer(note, ed)) {
      if (!ed.conflict || ed.conflict.note.id !== note.id) await arrive(ed, note);
      return;
    }
    var said = ed.said;
    // Only while the box holds what was loaded or saved, so the line speaks of this text.
    if (note && !ed.told && !ed.conflict && !edited(ed) && said.textContent && !said.classList.contains("error")) {
      said.textContent = app.saveLine(note);
    }
  }

  function build(id, current) {
    var box = el("textarea", {id: "note-body", rows: "8", "aria-describedby": "note-count"});
    var count = el("p", {className: "hint count", id: "note-count", "aria-live": "polite"});
    var said = el("p", {id: "note-saved", className: "saved", role: "status"});
    var save = el("button", {type: "submit", className: "button", text: "Save note"});
    var del = el("button", {type: "button", className: "button secondary", text: "Delete note"});
    var form = el("form", {className: "note-editor card", id: "note-form"}, [
      el("h4", {text: "Your notes"}), el("label", {"for": "note-body", text: "Notes on this part"}), box, count,
      el("p", {className: "actions"}, [save, del]), said
    ]);
    var ed = {id: id, form: form, box: box, said: said, base: null, loaded: "", conflict: null, told: false};
    ed.update = function () {
      var n = textOf(box).length;
      count.textContent = n + " / " + MAX_NOTE + " characters" + (n > MAX_NOTE ? " (too long: " + (n - MAX_NOTE) + " over)" : "");
      count.classList.toggle("error", n > MAX_NOTE);
      save.disabled = n > MAX_NOTE;
    };
    load(ed, current);
    if (current) said.textContent = app.saveLine(current);
    box.addEventListener("input", function () { ed.update(); ed.told = false; if (!ed.conflict && !ed.moved) say(ed, ""); });
    form.addEventListener("submit", function (e) { e.preventDefault(); saveNote(ed); });
    del.addEventListener("click", function () { deleteNote(ed); });
    editors.set(form, ed);
    return form;
  }

  async function saveNote(ed) {
    var text = textOf(ed.box);
    if (text.length > MAX_NOTE || await catchUp(ed)) return;
    ed.told = false;
    app.saving(ed.said, async function () {
      ed.base = await QE.local.record((await app.session()).owner, "note.put", {lesson_id: ed.id, body: text});
      ed.loaded = text; ed.moved = null;
      return "Note saved on this device";
    });
  }

  async function deleteNote(ed) {
    if (await catchUp(ed)) return;
    if (!window.confirm("Delete your note on this part? This cannot be undone.")) return;
    ed.told = false;
    app.saving(ed.said, async function () {
      ed.base = await QE.local.record((await app.session()).owner, "note.deleted", {lesson_id: ed.id});
      ed.box.value = ""; ed.loaded = ""; ed.moved = null; ed.update();
      return "Note deleted on this device";
    });
  }

  function open() {
    var form = document.getElementById("note-form");
    return (form && editors.get(form)) || null;
  }

  // Whether the open editor holds text or a choice the learner has not settled: such an
  // editor is never rebuilt (a sync, a claim), or the typed text would be lost.
  function hasChanges() {
    var ed = open();
    return !!ed && (edited(ed) || !!ed.conflict || !!ed.moved);
  }

  // Another account signed in (or out) here while the open note had unsaved changes: keep the
  // text and say so. Saving files it under the account signed in now, after showing that
  // account's own version of this note, if it has one, to choose between.
  function accountChanged(user) {
    var ed = open();
    if (!ed) return;
    ed.moved = user ? "now signed in as " + user.display_name : "now signed out";
    ed.base = null; // nothing of this account's notes was shown yet
    say(ed, "The account on this device changed (" + ed.moved + "): your note is not saved yet. " +
      "Save note to save it " + (user ? "to " + user.display_name + "'s account." : "on this device, under no account."), true);
  }

  app.noteEditor = {build: build, refresh: refresh, hasChanges: hasChanges, accountChanged: accountChanged};
})();
