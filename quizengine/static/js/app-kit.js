// What the offline app's views share (QE.app): the view state, DOM helpers, and reading this
// device's events (verdicts, notes, save states).
(function () {
  "use strict";
  var QE = window.QE;
  var idb = QE.idb;
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

  function latestBy(events, keyOf) {
    var out = {};
    events.forEach(function (e) {
      var k = keyOf(e);
      if (!out[k] || replayKey(e) > replayKey(out[k])) out[k] = e;
    });
    return out;
  }

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

  async function notes() {
    var all = (await eventsOf(view.owner, "note.put")).concat(await eventsOf(view.owner, "note.deleted"));
    return latestBy(all, function (e) { return e.payload.lesson_id; }); // last writer wins by HLC
  }

  function saveLine(e) {
    return e.rejected ? "Not accepted by the server: " + e.rejected : e.synced ? "Synced" : "Saved on this device";
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

  QE.app = {
    view: view, $: $, el: el, plural: plural, replayKey: replayKey, latestFirst: latestFirst,
    latestBy: latestBy, session: session, eventsOf: eventsOf, notes: notes, saveLine: saveLine,
    saving: saving
  };
})();
