// Lessons in the offline app: the list, and one lesson's note editor (note-editor.js) and
// Skill Check, saved on this device first (QE.app.lessons).
(function () {
  "use strict";
  var QE = window.QE;
  var idb = QE.idb, app = QE.app, view = app.view, $ = app.$, el = app.el;
  var lessonRender = 0;

  async function lessons() {
    var cached = await idb.getState("*", "lessons");
    return cached ? cached.lessons : null;
  }

  async function renderLessonList(target) {
    var token = ++lessonRender;
    var area = el("div");
    var list = await lessons();
    if (!list) area.appendChild(el("p", {text: "Lessons download the first time this page is opened online."}));
    if (!list) { if (token === lessonRender) target.replaceChildren(area); return; }
    var byLesson = await app.notes();
    var ul = el("ul", {className: "lesson-picker"});
    list.forEach(function (l) {
      var n = byLesson[l.id];
      ul.appendChild(el("li", {}, [el("a", {href: "#lesson/" + encodeURIComponent(l.id), text: "Part " + l.part + ": " + l.title}),
        n && n.type === "note.put" && n.payload.body ? el("span", {className: "muted", text: " · has a note"}) : null]));
    });
    area.appendChild(ul);
    if (token === lessonRender) target.replaceChildren(area);
  }

  async function skillChecks(id) {
    return app.latestBy((await app.eventsOf(view.owner, "skill_check")).filter(function (e) {
      return e.payload.lesson_id === id;
    }), function (e) {
      return e.payload.question_id;
    });
  }

  async function renderLesson(target, id) {
    var token = ++lessonRender;
    var area = el("div");
    var list = await lessons();
    var lesson = list && list.find(function (l) { return l.id === id; });
    if (!lesson) {
      area.appendChild(el("p", {text: "That lesson is not stored on this device."}));
      if (token === lessonRender) target.replaceChildren(area);
      return;
    }
    area.appendChild(el("p", {}, [el("a", {href: "#lessons", text: "← All lessons"})]));
    area.appendChild(el("h3", {id: "lesson-title", text: "Part " + lesson.part + ": " + lesson.title}));
    if (lesson.summary) area.appendChild(el("p", {className: "muted", text: lesson.summary}));
    // Notes: last writer wins by hybrid logical clock; a deletion is a write like any other.
    area.appendChild(app.noteEditor.build(id, (await app.notes())[id]));

    // Skill Check: choices are saved here; the server scores them when they sync.
    var checks = await skillChecks(id);
    var sc = el("form", {className: "card skill-check", id: "skill-check-form"}, [el("h4", {text: "Skill Check"})]);
    lesson.skill_check.forEach(function (q, i) {
      var chosen = checks[q.id] && checks[q.id].payload.choice;
      var fs = el("fieldset", {className: "question"}, [el("legend", {}, [String(i + 1) + ". ", el("span", {html: q.prompt_html})])]);
      q.choices.forEach(function (c) {
        var input = el("input", {type: "radio", name: "q-" + q.id, value: c.value});
        if (chosen === c.value) input.checked = true;
        fs.appendChild(el("label", {className: "choice-option"}, [input, " ", el("span", {html: c.html})]));
      });
      sc.appendChild(fs);
    });
    var scSaid = el("p", {role: "status", id: "skill-check-saved", className: "saved"});
    sc.appendChild(el("p", {className: "actions"}, [el("button", {type: "submit", className: "button", text: "Save my answers"})]));
    sc.appendChild(scSaid);
    if (token !== lessonRender) return;
    target.replaceChildren(area);
    sc.addEventListener("submit", function (e) {
      e.preventDefault();
      app.saving(scSaid, async function () {
        var s = await app.session();
        var n = 0;
        for (var i = 0; i < lesson.skill_check.length; i++) {
          var q = lesson.skill_check[i];
          var picked = sc.querySelector("input[name='q-" + q.id + "']:checked");
          var before = checks[q.id] && checks[q.id].payload.choice;
          if (picked && picked.value !== before) {
            checks[q.id] = await QE.local.record(s.owner, "skill_check", {lesson_id: id, question_id: q.id, choice: picked.value});
            n++;
          }
        }
        return n ? app.plural(n, "answer", "answers") + " saved on this device; your score appears on the lesson page once it syncs." : "Nothing changed.";
      });
    });
    area.appendChild(sc);
    await renderLessonSaves(id);
  }

  // After a sync, on an open lesson: a newer note from elsewhere, and whether the server took
  // this device's note and Skill Check answers.
  async function renderLessonSaves(id) {
    await app.noteEditor.refresh(id);
    var scSaid = $("skill-check-saved");
    var refused = Object.values(await skillChecks(id)).filter(function (e) { return e.rejected; });
    if (refused.length && scSaid) scSaid.textContent = app.saveLine(refused[0]);
  }

  app.lessons = {renderLessonList: renderLessonList, renderLesson: renderLesson, renderLessonSaves: renderLessonSaves};
})();
