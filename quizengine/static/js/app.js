// The offline app (/app): practice from the problem pack in IndexedDB, notes and Skill
// Checks per lesson, all saved on this device first and synced by sync.js.
(function () {
  "use strict";
  var QE = window.QE;
  var idb = QE.idb;
  var MAX_NOTE = 8000;
  var KEY_SEP = "\x1f";
  var view = {owner: null, user: null, problemKey: null, answered: null, startedAt: Date.now()};

  function $(id) { return document.getElementById(id); }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "html") node.innerHTML = attrs[k]; // only MathML/HTML rendered by our server
      else if (k === "className") node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return node;
  }
  function plural(n, one, many) { return n + " " + (n === 1 ? one : many); }
  function replayKey(e) { return e.hlc + KEY_SEP + e.device_id + KEY_SEP + e.id; }
  function latestFirst(a, b) { var x = replayKey(a), y = replayKey(b); return x < y ? 1 : x > y ? -1 : 0; }

  async function session() {
    var s = await QE.sync.session();
    view.owner = s.owner; view.user = s.user;
    return s;
  }

  function eventsOf(owner, type) {
    return idb.transaction(["events"], "readonly", function (s) {
      return idb.request(s.events.index("owner_type").getAll([owner, type]));
    });
  }

  async function pack() {
    return ((await idb.getState(view.owner, "pack")) || {problems: []}).problems;
  }

  // ------------------------------------------------------------------ who and progress

  function renderWho(status) {
    var who = $("app-who");
    var offline = status && status.errorKind === "network";
    if (view.user) {
      who.textContent = "Signed in as " + view.user.display_name + ". Answers save on this device first, then sync to your account." + (offline ? " You are offline: everything you do is kept here until the server is reachable." : "");
    } else {
      who.textContent = "Practising without an account: everything saves on this device. Sign in or create an account to keep it and use it on other devices." + (offline ? " You are offline." : "");
    }
  }

  async function renderProgress() {
    var attempts = await eventsOf(view.owner, "attempt");
    var right = attempts.filter(function (a) { return verdictOf(a).status === "correct"; }).length;
    var line = $("progress-line");
    line.dataset.answered = String(attempts.length);
    line.textContent = "Answered: " + attempts.length + " · correct: " + right +
      (view.user ? "" : " (on this device)");
    return attempts;
  }

  function verdictOf(attempt) {
    if (attempt.graded) return {status: attempt.graded.status, server: true, feedback: attempt.graded.feedback};
    var v = attempt.verdict || {status: "unchecked"};
    return {status: v.status, server: false, certain: v.certain};
  }

  function verdictWords(status) {
    return {correct: "Correct", incorrect: "Not quite", invalid: "Could not be read", undecided: "Undecided", unchecked: "Saved; checked when it syncs"}[status] || status;
  }

  function saveLine(e) {
    return e.rejected ? "Not accepted by the server: " + e.rejected : e.synced ? "Synced" : "Saved on this device";
  }

  function saveWords(attempt) {
    if (attempt.rejected) return "not accepted by the server (" + attempt.rejected + ")";
    return attempt.synced ? "synced" : "saved on this device";
  }

  // ------------------------------------------------------------------ practice

  async function renderHistory(attempts) {
    var list = $("history-list");
    list.textContent = "";
    var recent = attempts.slice().sort(latestFirst).slice(0, 15);
    recent.forEach(function (a) {
      var v = verdictOf(a);
      var title = (a.problem && a.problem.title) || a.payload.template_id;
      var item = el("li", {"data-id": a.id, "data-status": v.status, "data-synced": a.synced ? "yes" : "no"}, [
        el("strong", {text: title}), " · your answer ", el("code", {text: a.payload.answer}), " · ",
        el("span", {text: verdictWords(v.status) + (v.server ? " (server)" : v.status === "unchecked" ? "" : v.certain ? " (checked on this device)" : " (provisional: checked on this device)")}),
        " · ", el("span", {className: "saved", text: saveWords(a)})
      ]);
      if (a.changed && a.graded) item.appendChild(el("p", {className: "changed", text: changeWords(a)}));
      list.appendChild(item);
    });
    if (!recent.length) list.appendChild(el("li", {className: "muted", text: "No answers yet."}));
  }

  function changeWords(a) {
    var verdict = {correct: "correct", incorrect: "incorrect", invalid: "unreadable", undecided: "undecided"}[a.graded.status] || a.graded.status;
    return "The server marked this " + verdict + (a.graded.feedback ? ": " + a.graded.feedback : ".");
  }

  function problemKey(p) { return p ? p.template_id + ":" + p.seed + ":" + p.level : null; }

  async function renderProblem(force) {
    var box = $("problem");
    if (view.answered) return renderVerdict();
    var problems = await pack();
    var p = problems[0];
    if (!force && problemKey(p) === view.problemKey && box.childNodes.length) return;
    // Never swap a problem mid-answer, or one the learner asked for (Next problem, Skip) when a
    // sync brings a new pack; the first one shown on opening follows the fresh pack.
    if (!force && (view.touched || view.pinned) && view.problemKey) return;
    view.touched = false;
    view.pinned = !!force;
    box.textContent = "";
    view.problemKey = problemKey(p);
    view.startedAt = Date.now();
    if (!p) {
      box.removeAttribute("data-template");
      box.appendChild(el("p", {text: "No problems are stored on this device yet. Open this page once while online to download a pack of problems for offline practice."}));
      return;
    }
    box.dataset.template = p.template_id; box.dataset.seed = String(p.seed); box.dataset.level = String(p.level);
    var reason = {due: "Review due", "new": "New skill", ahead: "Practise ahead", assigned: "Assigned"}[p.reason] || "Practice";
    box.appendChild(el("p", {className: "badges"}, [el("span", {className: "badge", text: reason}), el("span", {className: "badge", text: "Level " + p.level})]));
    box.appendChild(el("h2", {id: "problem-title", text: p.title}));
    box.appendChild(el("div", {className: "prompt", html: p.prompt_html}));
    var form = el("form", {className: "answer-form", id: "answer-form", novalidate: "novalidate"});
    if (p.answer_kind === "choice") {
      var set = el("fieldset", {className: "field choices"}, [el("legend", {text: "Your answer"})]);
      p.choices.forEach(function (c) {
        set.appendChild(el("label", {className: "choice-option"}, [el("input", {type: "radio", name: "answer", value: c.label}), " " + c.text]));
      });
      form.appendChild(set);
    } else {
      var field = el("div", {className: "field"}, [
        el("label", {"for": "answer", text: "Your answer"}, [p.answer_hint ? el("span", {className: "hint", text: " (" + p.answer_hint + ")"}) : null]),
        el("textarea", {id: "answer", name: "answer", rows: "2", autocomplete: "off", autocapitalize: "off", spellcheck: "false", "aria-describedby": "answer-error"})
      ]);
      form.appendChild(field);
    }
    form.appendChild(el("p", {className: "error", id: "answer-error", role: "alert"}));
    form.appendChild(el("p", {className: "actions"}, [
      el("button", {type: "submit", className: "button", text: "Check answer"}),
      el("button", {type: "button", className: "button secondary", id: "skip", text: "Skip for now"})
    ]));
    box.appendChild(form);
    form.addEventListener("input", function () { view.touched = true; });
    form.addEventListener("change", function () { view.touched = true; });
    form.addEventListener("submit", function (e) { e.preventDefault(); submit(p, form); });
    var area = form.querySelector("textarea");
    if (area) area.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); }
    });
    $("skip").addEventListener("click", function () { skip(p); });
  }

  async function skip(p) {
    await idb.transaction(["state"], "readwrite", async function (s) {
      var row = await idb.request(s.state.get([view.owner, "pack"]));
      if (!row) return;
      var list = row.value.problems;
      var i = list.findIndex(function (q) { return problemKey(q) === problemKey(p); });
      if (i >= 0) list.push(list.splice(i, 1)[0]);
      s.state.put(row);
    });
    renderProblem(true);
  }

  async function submit(p, form) {
    // Enter pressed again while this answer is checked and saved: it is the same answer.
    if (form.dataset.busy) return;
    var error = $("answer-error");
    var chosen = form.querySelector("input[name=answer]:checked");
    var area = form.querySelector("textarea");
    var answer = p.answer_kind === "choice" ? (chosen ? chosen.value : "") : area.value;
    if (!answer.trim()) { error.textContent = "Enter an answer first."; return; }
    var buttons = form.querySelectorAll("button");
    buttons.forEach(function (b) { b.disabled = true; });
    form.dataset.busy = "yes";
    try {
      var verdict = await QE.math.check(p, answer, p.salt);
      if (verdict.status === "invalid") {
        error.textContent = "We could not read that answer: " + verdict.message + ". Nothing was saved; fix it and check again.";
        return;
      }
      var s = await session();
      var payload = {template_id: p.template_id, seed: p.seed, level: p.level, answer: answer,
                     duration_ms: Math.max(0, Date.now() - view.startedAt)};
      if (p.assignment_id) payload.assignment_id = p.assignment_id;  // assigned work counts
      var extra = {verdict: verdict, problem: {title: p.title, template_id: p.template_id, seed: p.seed, level: p.level, answer_kind: p.answer_kind}};
      var saved = await QE.local.record(s.owner, "attempt", payload, extra, async function (st) {
        var row = await idb.request(st.state.get([s.owner, "pack"]));
        if (!row) return;
        row.value.problems = row.value.problems.filter(function (q) { return problemKey(q) !== problemKey(p); });
        st.state.put(row);
      });
      // The transaction has completed: only now is the answer saved.
      view.answered = saved.id;
      view.problemKey = null;
      await renderVerdict();
      refreshLists();
      askToPersist();
    } catch (e) {
      error.textContent = "Could not save on this device: " + (e && e.message ? e.message : e) + ". Try again.";
    } finally {
      delete form.dataset.busy;
      buttons.forEach(function (b) { b.disabled = false; });
    }
  }

  async function renderVerdict() {
    var box = $("problem");
    var a = await idb.get("events", view.answered);
    if (!a) { view.answered = null; return renderProblem(true); }
    var v = verdictOf(a);
    var keep = box.querySelector(".prompt");
    box.textContent = "";
    box.appendChild(el("h2", {id: "problem-title", text: (a.problem && a.problem.title) || a.payload.template_id}));
    if (keep) box.appendChild(keep);
    var note = v.server ? "Graded by the server." : v.status === "unchecked" ? "This kind of answer is checked by the server when it syncs." :
      v.certain ? "Checked on this device; the server confirms it when it syncs." : "Provisional: checked on this device; the server's grading replaces it when it syncs.";
    var section = el("section", {id: "verdict", className: "verdict verdict-" + v.status, "aria-live": "polite"}, [
      el("h3", {text: verdictWords(v.status)}),
      el("p", {text: "Your answer: "}, [el("code", {text: a.payload.answer})]),
      el("p", {className: v.server ? "" : "provisional", id: "verdict-kind", text: note}),
      v.server && v.feedback ? el("p", {text: v.feedback}) : null,
      a.changed && a.graded ? el("p", {className: "changed", id: "verdict-change", text: changeWords(a)}) : null,
      el("p", {className: "saved", id: "save-state", text: saveLine(a)}),
      el("p", {className: "actions"}, [el("button", {type: "button", className: "button", id: "next-problem", text: "Next problem"})])
    ]);
    box.appendChild(section);
    $("next-problem").addEventListener("click", function () { view.answered = null; renderProblem(true).then(function () { var f = document.querySelector("#answer, input[name=answer]"); if (f) f.focus(); }); });
  }

  async function askToPersist() {
    if (!navigator.storage || !navigator.storage.persist) return;
    try {
      if (await idb.getState("*", "persist_asked")) return;
      await idb.setState("*", "persist_asked", true);
      if (!(await navigator.storage.persisted())) await navigator.storage.persist();
    } catch (e) { /* the browser decides; practice goes on */ }
  }

  async function refreshLists() {
    var attempts = await renderProgress();
    await renderHistory(attempts);
  }

  // ------------------------------------------------------------------ lessons

  async function lessons() {
    var cached = await idb.getState("*", "lessons");
    return cached ? cached.lessons : null;
  }

  function latestBy(events, keyOf) {
    var out = {};
    events.forEach(function (e) {
      var k = keyOf(e);
      if (!out[k] || replayKey(e) > replayKey(out[k])) out[k] = e;
    });
    return out;
  }

  async function notes() {
    var all = (await eventsOf(view.owner, "note.put")).concat(await eventsOf(view.owner, "note.deleted"));
    return latestBy(all, function (e) { return e.payload.lesson_id; }); // last writer wins by HLC
  }

  var lessonRender = 0;

  async function renderLessonList(target) {
    var token = ++lessonRender;
    var area = el("div");
    var list = await lessons();
    if (!list) area.appendChild(el("p", {text: "Lessons download the first time this page is opened online."}));
    if (!list) { if (token === lessonRender) target.replaceChildren(area); return; }
    var byLesson = await notes();
    var ul = el("ul", {className: "lesson-picker"});
    list.forEach(function (l) {
      var n = byLesson[l.id];
      ul.appendChild(el("li", {}, [el("a", {href: "#lesson/" + encodeURIComponent(l.id), text: "Part " + l.part + ": " + l.title}),
        n && n.type === "note.put" && n.payload.body ? el("span", {className: "muted", text: " · has a note"}) : null]));
    });
    area.appendChild(ul);
    if (token === lessonRender) target.replaceChildren(area);
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
    var current = (await notes())[id];
    var body = current && current.type === "note.put" ? current.payload.body : "";
    var box = el("textarea", {id: "note-body", rows: "8", "aria-describedby": "note-count"});
    box.value = body;
    var count = el("p", {className: "hint count", id: "note-count", "aria-live": "polite"});
    var said = el("p", {id: "note-saved", className: "saved", role: "status"});
    function update() {
      var n = box.value.replace(/\r\n/g, "\n").length;
      count.textContent = n + " / " + MAX_NOTE + " characters" + (n > MAX_NOTE ? " (too long: " + (n - MAX_NOTE) + " over)" : "");
      count.classList.toggle("error", n > MAX_NOTE);
      save.disabled = n > MAX_NOTE;
    }
    var save = el("button", {type: "submit", className: "button", text: "Save note"});
    var del = el("button", {type: "button", className: "button secondary", text: "Delete note"});
    var form = el("form", {className: "note-editor card", id: "note-form"}, [
      el("h4", {text: "Your notes"}), el("label", {"for": "note-body", text: "Notes on this part"}), box, count,
      el("p", {className: "actions"}, [save, del]), said
    ]);
    if (current) said.textContent = saveLine(current);
    box.addEventListener("input", function () { update(); said.textContent = ""; });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var text = box.value.replace(/\r\n/g, "\n");
      if (text.length > MAX_NOTE) return;
      saving(said, async function () {
        await QE.local.record((await session()).owner, "note.put", {lesson_id: id, body: text});
        return "Note saved on this device";
      });
    });
    del.addEventListener("click", function () {
      if (!window.confirm("Delete your note on this part? This cannot be undone.")) return;
      saving(said, async function () {
        await QE.local.record((await session()).owner, "note.deleted", {lesson_id: id});
        box.value = ""; update();
        return "Note deleted on this device";
      });
    });
    area.appendChild(form);
    update();

    // Skill Check: choices are saved here; the server scores them when they sync.
    var checks = latestBy((await eventsOf(view.owner, "skill_check")).filter(function (e) {
      return e.payload.lesson_id === id;
    }), function (e) {
      return e.payload.question_id;
    });
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
      saving(scSaid, async function () {
        var s = await session();
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
        return n ? plural(n, "answer", "answers") + " saved on this device; your score appears on the lesson page once it syncs." : "Nothing changed.";
      });
    });
    area.appendChild(sc);
    await renderLessonSaves(id);
  }

  // Say what a save did, or that it failed (IndexedDB full or refused): never nothing.
  async function saving(line, save) {
    line.classList.remove("error");
    try {
      line.textContent = await save();
    } catch (e) {
      line.classList.add("error");
      line.textContent = "Could not save on this device: " + (e && e.message ? e.message : e) + ". Nothing was saved; try again.";
    }
  }

  // After a sync, on an open lesson: whether the server took its note and Skill Check answers.
  async function renderLessonSaves(id) {
    var said = $("note-saved"), scSaid = $("skill-check-saved");
    var note = (await notes())[id];
    if (note && said && said.textContent && !said.classList.contains("error")) said.textContent = saveLine(note);
    var checks = latestBy((await eventsOf(view.owner, "skill_check")).filter(function (e) { return e.payload.lesson_id === id; }),
                          function (e) { return e.payload.question_id; });
    var refused = Object.values(checks).filter(function (e) { return e.rejected; });
    if (refused.length && scSaid) scSaid.textContent = saveLine(refused[0]);
  }

  // ------------------------------------------------------------------ routing and sync

  async function route() {
    var hash = location.hash || "#practice";
    var lessonMatch = /^#lesson\/(.+)$/.exec(hash);
    var showLessons = hash === "#lessons" || !!lessonMatch;
    $("practice-view").hidden = showLessons;
    $("lessons-view").hidden = !showLessons;
    $("tab-practice").toggleAttribute("aria-current", !showLessons);
    $("tab-lessons").toggleAttribute("aria-current", showLessons);
    if (!showLessons) $("tab-practice").setAttribute("aria-current", "page"); else $("tab-lessons").setAttribute("aria-current", "page");
    await session();
    renderWho(QE.sync.status());
    if (showLessons) {
      var area = $("lesson-area");
      if (lessonMatch) await renderLesson(area, decodeURIComponent(lessonMatch[1]));
      else await renderLessonList(area);
    } else {
      await renderProblem(false);
      await refreshLists();
    }
  }

  var lastOwner = null;
  async function onSync(status) {
    if (status.running) return;
    await session();
    var ownerChanged = lastOwner !== null && lastOwner !== view.owner;
    lastOwner = view.owner;
    renderWho(status);
    if (!$("practice-view").hidden) {
      if (ownerChanged && !view.touched) { view.answered = null; await renderProblem(true); }
      else if (view.answered) await renderVerdict();
      else await renderProblem(false);
      await refreshLists();
    } else if (!document.getElementById("note-body") || ownerChanged) {
      await route();
    } else {
      var open = /^#lesson\/(.+)$/.exec(location.hash);
      if (open) await renderLessonSaves(decodeURIComponent(open[1]));
    }
    document.body.dataset.synced = String(Date.now());
  }

  async function init() {
    QE.sync.wantPack();
    QE.sync.onChange(function (status) { onSync(status); });
    document.addEventListener("qe:claimed", function () { route(); });
    window.addEventListener("hashchange", route);
    await session();
    lastOwner = view.owner;
    await route();
    QE.sync.run();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
