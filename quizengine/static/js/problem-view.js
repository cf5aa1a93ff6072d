// Practice in the offline app: the problem on screen from the pack in IndexedDB, checking and
// saving an answer, its verdict, and the learner's recent answers (QE.app.practice).
(function () {
  "use strict";
  var QE = window.QE;
  var idb = QE.idb, app = QE.app, view = app.view, $ = app.$, el = app.el;

  async function pack() {
    return ((await idb.getState(view.owner, "pack")) || {problems: []}).problems;
  }

  // ------------------------------------------------------------------ progress and history

  async function renderProgress() {
    var attempts = await app.eventsOf(view.owner, "attempt");
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

  function saveWords(attempt) {
    if (attempt.rejected) return "not accepted by the server (" + attempt.rejected + ")";
    return attempt.synced ? "synced" : "saved on this device";
  }

  async function renderHistory(attempts) {
    var list = $("history-list");
    list.textContent = "";
    var recent = attempts.slice().sort(app.latestFirst).slice(0, 15);
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

  async function refreshLists() {
    var attempts = await renderProgress();
    await renderHistory(attempts);
  }

  // ------------------------------------------------------------------ the problem

  function problemKey(p) { return p ? p.template_id + ":" + p.seed + ":" + p.level : null; }

  // A deadline as the server's practice page writes it ("2030-01-02 17:00 (Europe/Paris)"),
  // in this browser's time zone.
  function deadlineText(when) {
    function two(n) { return String(n).padStart(2, "0"); }
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    return when.getFullYear() + "-" + two(when.getMonth() + 1) + "-" + two(when.getDate()) + " " +
      two(when.getHours()) + ":" + two(when.getMinutes()) + (zone ? " (" + zone + ")" : "");
  }

  // Assigned work says when it is due; past due is judged by this device's clock now.
  function dueLine(p) {
    var when = p.reason === "assigned" && p.due ? new Date(p.due) : null;
    if (!when || isNaN(when.getTime())) return null;
    if (when.getTime() <= Date.now()) {
      return el("p", {className: "notice", role: "note", id: "problem-due",
                      text: "This was due " + deadlineText(when) + ". An answer now reaches your teacher marked late."});
    }
    return el("p", {className: "muted", id: "problem-due", text: "Due " + deadlineText(when) + "."});
  }

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
    var due = dueLine(p);
    if (due) box.appendChild(due);
    box.appendChild(el("div", {className: "prompt", html: p.prompt_html}));
    box.appendChild(answerForm(p));
  }

  function answerForm(p) {
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
    var skipButton = el("button", {type: "button", className: "button secondary", id: "skip", text: "Skip for now"});
    form.appendChild(el("p", {className: "actions"}, [el("button", {type: "submit", className: "button", text: "Check answer"}), skipButton]));
    form.addEventListener("input", function () { view.touched = true; });
    form.addEventListener("change", function () { view.touched = true; });
    form.addEventListener("submit", function (e) { e.preventDefault(); submit(p, form); });
    var area = form.querySelector("textarea");
    if (area) area.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); }
    });
    skipButton.addEventListener("click", function () { skip(p); });
    return form;
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
      var s = await app.session();
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
      el("p", {className: "saved", id: "save-state", text: app.saveLine(a)}),
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

  app.practice = {renderProblem: renderProblem, renderVerdict: renderVerdict, refreshLists: refreshLists};
})();
