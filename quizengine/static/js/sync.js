// Local-first sync: runs the outbox's push and pull (outbox.js) and keeps a pack of upcoming
// problems and the lessons on this device. Runs on page load, on `online`, after each answer
// (debounced), on a timer (sync-status.js), and through Background Sync in the service
// worker. Works in pages and in the worker (no DOM here).
(function (root) {
  "use strict";
  var QE = root.QE = root.QE || {};
  var idb = QE.idb, net = QE.net, who = QE.session, outbox = QE.outbox;
  var HERE = who.HERE;
  var TIMER_MS = 30000;
  var PACK_SIZE = 30;
  var PACK_LOW = 20;

  // ------------------------------------------------------------------ problem pack

  var wantPack = false;

  async function refreshPack(s, replace) {
    var current = (await idb.getState(s.owner, "pack")) || {problems: []};
    if (!replace && current.problems.length >= PACK_LOW) return false;
    // Whose pack: on 409 (another account signed in meanwhile) nothing is replaced.
    var data = await net.getJson("/api/v1/pack?size=" + PACK_SIZE, s.user ? s.owner : null);
    var fresh = data.problems.map(function (p) { return Object.assign({salt: data.salt}, p); });
    await idb.transaction(["state"], "readwrite", async function (st) {
      var row = await idb.request(st.state.get([s.owner, "pack"]));
      var problems = row ? row.value.problems : [];
      if (replace) problems = fresh;
      else {
        var seen = {};
        problems.forEach(function (p) { seen[p.template_id + ":" + p.seed + ":" + p.level] = true; });
        fresh.forEach(function (p) { if (!seen[p.template_id + ":" + p.seed + ":" + p.level]) problems.push(p); });
      }
      st.state.put({owner: s.owner, name: "pack", value: {problems: problems, fetched_at: Date.now()}});
    });
    return true;
  }

  async function refreshLessons() {
    var cached = await idb.getState(HERE, "lessons");
    if (cached && Date.now() - cached.at < 3600 * 1000) return;
    var data = await net.getJson("/api/v1/lessons");
    await idb.setState(HERE, "lessons", {lessons: data.lessons, at: Date.now()});
  }

  // ------------------------------------------------------------------ running

  var status = {pending: 0, lastSync: null, error: null, errorKind: null, running: false, owner: "anon", user: null};
  var listeners = [];
  var running = null, again = false, retryTimer = null, backoff = 2000, replaceNext = false;

  function notify() {
    listeners.forEach(function (fn) { try { fn(status); } catch (e) { /* a view failed; sync goes on */ } });
  }

  function run() {
    if (running) { again = true; return running; }
    running = runOnce().finally(function () {
      running = null;
      if (again) { again = false; run(); }
    });
    return running;
  }

  async function runOnce() {
    status.running = true; notify();
    var s = await who.refresh();
    status.owner = s.owner; status.user = s.user;
    status.lastSync = (await idb.getState(s.owner, "last_sync")) || null;
    var changed = false;
    try {
      if (!s.online) throw s.problem || new net.SyncError("network", "offline: changes are saved on this device and sync when the server is reachable");
      if (s.user) {
        var device = await who.deviceId();
        var pushed = await outbox.push(s.owner, device, status);
        var pulled = await outbox.pull(s.owner);
        changed = pushed > 0 || pulled > 0;
        status.lastSync = Date.now();
        await idb.setState(s.owner, "last_sync", status.lastSync);
      }
      var replace = !!s.user && (changed || replaceNext);
      if (wantPack || replace) changed = (await refreshPack(s, replace)) || changed;
      if (wantPack) await refreshLessons().catch(function () { /* lessons unavailable: keep the cached list */ });
      if (s.user) replaceNext = false;
      status.error = null; status.errorKind = null; backoff = 2000;
      if (retryTimer) { clearTimeout(retryTimer); retryTimer = null; }
    } catch (error) {
      if (!(error instanceof net.SyncError)) throw error;
      status.error = error.message; status.errorKind = error.kind;
      if (error.kind !== "auth" && error.kind !== "refused") scheduleRetry(error.retryAfterMs);
    } finally {
      status.pending = await idb.count("outbox", s.owner);
      status.anonPending = s.user ? await idb.count("outbox", "anon") : 0;
      status.refused = s.user ? (await idb.getState(s.owner, "refused")) || null : null;
      status.running = false;
      status.changed = changed;
      notify();
    }
    return status;
  }

  // Try again after a growing pause (2 s, 4 s, ... 60 s), never sooner than Retry-After.
  function scheduleRetry(minimumMs) {
    if (retryTimer) return;
    retryTimer = setTimeout(function () { retryTimer = null; run(); }, Math.max(backoff, minimumMs || 0));
    backoff = Math.min(backoff * 2, 60000);
  }

  var soonTimer = null;
  function soon(delay) {
    clearTimeout(soonTimer);
    soonTimer = setTimeout(run, delay === undefined ? 800 : delay);
  }

  // The learner has seen what the server refused: stop saying so.
  async function dismissRefused(owner) {
    await idb.setState(owner, "refused", null);
    status.refused = null; notify();
  }

  // account.js adds claim, decline, claimOffer and anonSummary on pages.
  QE.sync = {
    run: run, soon: soon, status: function () { return status; }, onChange: function (fn) { listeners.push(fn); },
    timeouts: net.TIMEOUTS, dismissRefused: dismissRefused,
    session: who.current, refreshSession: who.refresh, deviceId: who.deviceId, ownerOf: who.ownerOf,
    wantPack: function () { wantPack = true; replaceNext = true; }, TIMER_MS: TIMER_MS
  };
  QE.local = {record: outbox.record, uuid: who.uuid, wellFormed: outbox.wellFormed};
})(typeof self !== "undefined" ? self : this);
