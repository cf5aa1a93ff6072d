// Local-first sync: events are written to IndexedDB first (QE.local.record), then pushed to
// /api/v1/sync/push and other devices' events pulled from /api/v1/sync/pull.
// Runs on page load, on `online`, after each answer (debounced), on a timer, and through
// Background Sync in the service worker. Works in pages and in the worker (no DOM there).
(function (root) {
  "use strict";
  var QE = root.QE = root.QE || {};
  var idb = QE.idb;
  var HERE = "*"; // state owned by this device rather than by an account
  var MAX_BATCH = 200;
  var MAX_BYTES = 200 * 1024; // below the server's 256 KiB
  var TIMER_MS = 30000;
  var PACK_SIZE = 30;
  var PACK_LOW = 20;

  function uuid() {
    if (root.crypto && root.crypto.randomUUID) return root.crypto.randomUUID();
    var b = root.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return x.toString(16).padStart(2, "0"); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function deviceId() {
    return idb.transaction(["state"], "readwrite", async function (s) {
      var row = await idb.request(s.state.get([HERE, "device"]));
      if (row) return row.value;
      var id = "b-" + uuid().replace(/-/g, "").slice(0, 24);
      s.state.put({owner: HERE, name: "device", value: id});
      return id;
    });
  }

  function ownerOf(user) { return user ? String(user.id) : "anon"; }

  // A synchronous mirror (localStorage) of who is signed in and how many changes wait, so
  // that signing out can decide at once whether it must stop and sync first.
  function mirror(name, value) {
    try {
      if (typeof localStorage === "undefined") return;
      if (value === null) localStorage.removeItem("qe-" + name);
      else localStorage.setItem("qe-" + name, String(value));
    } catch (e) { /* storage refused: signing out takes the slow, careful path */ }
  }
  function mirrored(name) {
    try { return typeof localStorage === "undefined" ? null : localStorage.getItem("qe-" + name); } catch (e) { return null; }
  }
  async function mirrorPending(owner) { mirror("pending:" + owner, await idb.count("outbox", owner)); }

  // ------------------------------------------------------------------ session

  var session = {user: null, owner: "anon", online: false, known: false};

  async function refreshSession() {
    try {
      var r = await fetch("/api/v1/me", {credentials: "same-origin", cache: "no-store"});
      if (!r.ok) throw await serverError(r);
      var data = await r.json();
      session = {user: data.user, owner: ownerOf(data.user), online: true, known: true};
      await idb.setState(HERE, "session", {user: data.user, at: Date.now()});
      mirror("owner", session.owner);
      // Signed out (by the form, which had nothing pending): clear that account's data now.
      var leaving = mirrored("clear-owner");
      if (leaving) {
        if (!data.user && leaving !== "anon") await idb.clearOwner(leaving);
        mirror("clear-owner", null);
      }
    } catch (error) {
      var stored = await idb.getState(HERE, "session");
      var user = stored ? stored.user : null;
      // Reachable but failing (a 503 while the database restarts) is not "offline".
      var problem = error instanceof SyncError ? error : null;
      session = {user: user, owner: ownerOf(user), online: false, known: true, problem: problem};
    }
    return session;
  }

  async function currentSession() {
    if (session.known) return session;
    var stored = await idb.getState(HERE, "session");
    var user = stored ? stored.user : null;
    return {user: user, owner: ownerOf(user), online: false, known: false};
  }

  // ------------------------------------------------------------------ local writes

  // Write one event to the outbox and the local copies in ONE transaction; resolves with the
  // local copy only after the transaction completed. `also(stores, local)` may add writes.
  async function record(owner, type, payload, extra, also) {
    var device = await deviceId();
    var id = uuid();
    var saved = await idb.transaction(["outbox", "events", "state"], "readwrite", async function (s) {
      var row = await idb.request(s.state.get([HERE, "hlc"]));
      var clock = QE.hlc.tick(row && row.value, Date.now());
      s.state.put({owner: HERE, name: "hlc", value: clock});
      var created = new Date().toISOString();
      var event = {id: id, v: 1, type: type, hlc: QE.hlc.format(clock, device), created_at: created, payload: payload};
      s.outbox.put({id: id, owner: owner, event: event, tries: 0});
      var local = Object.assign({
        id: id, owner: owner, type: type, hlc: event.hlc, device_id: device, created_at: created,
        payload: payload, seq: null, local: true
      }, extra || {});
      s.events.put(local);
      if (also) await also(s, local);
      return local;
    });
    await mirrorPending(owner);
    soon();
    backgroundSync();
    return saved;
  }

  // ------------------------------------------------------------------ push and pull

  // kind: "network" (no answer), "server" (an error answer), "auth" (sign in first).
  function SyncError(kind, words, retryAfterMs) {
    this.kind = kind; this.message = words; this.retryAfterMs = retryAfterMs || 0;
  }
  SyncError.prototype = Object.create(Error.prototype);

  // The server's Retry-After (seconds; a 503 while the database is busy, a 429), in ms.
  function retryAfterMs(response) {
    var seconds = parseInt(response.headers.get("Retry-After") || "", 10);
    return seconds > 0 ? Math.min(seconds, 300) * 1000 : 0;
  }

  // An error answer: nothing in it was stored, so the outbox keeps it all for the next try.
  async function serverError(response) {
    var words = "the server answered " + response.status + (await errorWords(response));
    if (response.status >= 500) {
      words += (/[.!?]$/.test(words) ? "" : ".") + " Your changes are kept on this device and will be sent again.";
    }
    return new SyncError("server", words, retryAfterMs(response));
  }

  async function getJson(url) {
    var r;
    try {
      r = await fetch(url, {credentials: "same-origin", cache: "no-store"});
    } catch (error) {
      throw new SyncError("network", "could not reach the server");
    }
    if (r.status === 401) throw new SyncError("auth", "sign in to sync");
    if (!r.ok) throw await serverError(r);
    return r.json();
  }

  async function errorWords(response) {
    try {
      var data = await response.json();
      return data && data.error && data.error.message ? ": " + data.error.message : "";
    } catch (e) { return ""; }
  }

  async function pending(owner) {
    var rows = await idb.byOwner("outbox", owner);
    rows.sort(function (a, b) { return a.event.hlc < b.event.hlc ? -1 : a.event.hlc > b.event.hlc ? 1 : 0; });
    return rows;
  }

  async function push(owner, device) {
    var rows = await pending(owner);
    var limit = MAX_BATCH;
    var pushed = 0;
    while (rows.length) {
      var batch = [], bytes = 64;
      for (var i = 0; i < rows.length && batch.length < limit; i++) {
        var size = JSON.stringify(rows[i].event).length * 3 + 2; // worst case UTF-8
        if (batch.length && bytes + size > MAX_BYTES) break;
        batch.push(rows[i]); bytes += size;
      }
      var token = (await getJson("/api/v1/csrf")).csrf_token; // fresh: tokens go stale offline
      var response;
      try {
        response = await fetch("/api/v1/sync/push", {
          method: "POST", credentials: "same-origin", cache: "no-store",
          headers: {"Content-Type": "application/json", "X-CSRFToken": token},
          body: JSON.stringify({device_id: device, client_time: new Date().toISOString(),
                                events: batch.map(function (r) { return r.event; })})
        });
      } catch (error) {
        throw new SyncError("network", "could not reach the server; your changes are kept and will be sent again");
      }
      if (response.status === 401) throw new SyncError("auth", "sign in to sync");
      if (response.status === 413 && batch.length > 1) { limit = Math.max(1, Math.floor(batch.length / 2)); continue; }
      if (!response.ok) throw await serverError(response);
      var data = await response.json();
      status.skewMs = typeof data.clock_skew_ms === "number" ? data.clock_skew_ms : null;
      await applyResults(owner, data.results || []);
      pushed += batch.length;
      var done = {};
      (data.results || []).forEach(function (r) { done[r.id] = true; });
      rows = rows.filter(function (r) { return !done[r.id] && batch.indexOf(r) < 0; });
    }
    return pushed;
  }

  function applyResults(owner, results) {
    return idb.transaction(["outbox", "events"], "readwrite", async function (s) {
      for (var i = 0; i < results.length; i++) {
        var r = results[i];
        if (!r.id) continue;
        var row = await idb.request(s.outbox.get(r.id));
        if (!row || row.owner !== owner) continue;
        s.outbox.delete(r.id);
        var local = await idb.request(s.events.get(r.id));
        if (!local) continue;
        if (r.status === "accepted" || r.status === "duplicate") {
          local.synced = true;
          if (r.seq !== null && r.seq !== undefined) local.seq = r.seq;
        } else {
          local.rejected = r.status + (r.error ? ": " + r.error : "");
        }
        s.events.put(local);
      }
    });
  }

  async function pull(owner) {
    var after = (await idb.getState(owner, "cursor")) || 0;
    var count = 0;
    for (;;) {
      var data = await getJson("/api/v1/sync/pull?after=" + after + "&limit=200");
      var events = data.events || [];
      var stale = false;
      await idb.transaction(["events", "state"], "readwrite", async function (s) {
        // Signed out meanwhile (this account's data was cleared): write nothing back.
        var who = await idb.request(s.state.get([HERE, "session"]));
        if (!who || ownerOf(who.value.user) !== owner) { stale = true; return; }
        var clockRow = await idb.request(s.state.get([HERE, "hlc"]));
        var clock = clockRow ? clockRow.value : null;
        for (var i = 0; i < events.length; i++) {
          var ev = events[i];
          var existing = await idb.request(s.events.get(ev.id));
          var local = existing && existing.owner === owner ? existing : {
            id: ev.id, owner: owner, type: ev.type, hlc: ev.hlc, device_id: ev.device_id,
            created_at: ev.created_at, payload: ev.payload, local: false
          };
          local.seq = ev.seq; local.synced = true; local.received_at = ev.received_at;
          s.events.put(local);
          clock = QE.hlc.receive(clock, QE.hlc.parse(ev.hlc), Date.now());
          if (ev.type === "attempt.graded") {
            var attempt = await idb.request(s.events.get(ev.payload.attempt_id));
            if (attempt && attempt.owner === owner) {
              attempt.graded = ev.payload;
              var before = attempt.verdict && attempt.verdict.status;
              attempt.changed = !!before && before !== "unchecked" && before !== ev.payload.status;
              s.events.put(attempt);
            }
          }
        }
        if (clock) s.state.put({owner: HERE, name: "hlc", value: clock});
        s.state.put({owner: owner, name: "cursor", value: data.next_after});
      });
      if (stale) throw new SyncError("auth", "signed out");
      count += events.length;
      after = data.next_after;
      if (!data.more) break;
    }
    return count;
  }

  // ------------------------------------------------------------------ problem pack

  var wantPack = false;

  async function refreshPack(s, replace) {
    var current = (await idb.getState(s.owner, "pack")) || {problems: []};
    if (!replace && current.problems.length >= PACK_LOW) return false;
    var data = await getJson("/api/v1/pack?size=" + PACK_SIZE);
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
    var data = await getJson("/api/v1/lessons");
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
    var s = await refreshSession();
    status.owner = s.owner; status.user = s.user;
    status.lastSync = (await idb.getState(s.owner, "last_sync")) || null;
    var changed = false;
    try {
      if (!s.online) throw s.problem || new SyncError("network", "offline: changes are saved on this device and sync when the server is reachable");
      if (s.user) {
        var device = await deviceId();
        var pushed = await push(s.owner, device);
        var pulled = await pull(s.owner);
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
      if (!(error instanceof SyncError)) throw error;
      status.error = error.message; status.errorKind = error.kind;
      if (error.kind !== "auth") scheduleRetry(error.retryAfterMs);
    } finally {
      status.pending = await idb.count("outbox", s.owner);
      mirror("pending:" + s.owner, status.pending);
      status.anonPending = s.user ? await idb.count("outbox", "anon") : 0;
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

  function backgroundSync() {
    if (!root.navigator || !navigator.serviceWorker || !navigator.serviceWorker.ready) return;
    navigator.serviceWorker.ready.then(function (reg) {
      return reg.sync ? reg.sync.register("qe-sync") : null;
    }).catch(function () { /* Background Sync refused: the timer and `online` cover it */ });
  }

  // ------------------------------------------------------------------ claiming

  async function anonSummary() {
    var rows = await idb.byOwner("outbox", "anon");
    var summary = {total: rows.length, answers: 0, notes: 0, checks: 0};
    rows.forEach(function (r) {
      if (r.event.type === "attempt") summary.answers++;
      else if (r.event.type === "skill_check") summary.checks++;
      else summary.notes++;
    });
    return summary;
  }

  // Move the anonymous learner's events to the signed-in account (with their consent).
  async function claim(user) {
    var owner = ownerOf(user);
    if (owner === "anon") throw new Error("nobody to claim for");
    await idb.transaction(["outbox", "events"], "readwrite", async function (s) {
      var rows = await idb.request(s.outbox.index("owner").getAll("anon"));
      for (var i = 0; i < rows.length; i++) {
        rows[i].owner = owner;
        s.outbox.put(rows[i]);
      }
      var locals = await idb.request(s.events.index("owner").getAll("anon"));
      for (var j = 0; j < locals.length; j++) {
        locals[j].owner = owner;
        s.events.put(locals[j]);
      }
    });
    await mirrorPending("anon");
    await mirrorPending(owner);
    return run();
  }

  function decline(user, count) {
    return idb.setState(ownerOf(user), "claim_declined", count);
  }

  async function claimOffer(s) {
    if (!s.user) return null;
    var summary = await anonSummary();
    if (!summary.total) return null;
    var declined = (await idb.getState(s.owner, "claim_declined")) || 0;
    return summary.total > declined ? summary : null;
  }

  QE.sync = {
    run: run, soon: soon, status: function () { return status; }, onChange: function (fn) { listeners.push(fn); },
    session: currentSession, refreshSession: refreshSession, deviceId: deviceId, ownerOf: ownerOf,
    claim: claim, decline: decline, claimOffer: claimOffer, anonSummary: anonSummary,
    wantPack: function () { wantPack = true; replaceNext = true; }, TIMER_MS: TIMER_MS
  };
  QE.local = {record: record, uuid: uuid};

  // ------------------------------------------------------------------ page behaviour
  if (typeof document === "undefined") return; // in the service worker: no page to drive

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
      parts.push(st.pending ? words(st.pending, "change", "changes") + " saved on this device, waiting to sync" : "All changes synced");
    }
    if (st.user) parts.push(st.lastSync ? "last synced " + timeText(st.lastSync) : "not synced yet");
    if (st.skewMs && Math.abs(st.skewMs) > 5 * 60000) {
      parts.push("this device's clock is " + Math.round(Math.abs(st.skewMs) / 60000) + " minutes " + (st.skewMs > 0 ? "ahead" : "behind"));
    }
    el.textContent = "Sync: " + parts.join(" · ");
    el.dataset.pending = String(st.pending);
    el.dataset.state = st.error ? "error" : st.pending ? "pending" : "ok";
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

  var claimShown = false;
  async function renderClaim(st) {
    if (claimShown || st.running || !st.user) return;
    var offer = await claimOffer({user: st.user, owner: ownerOf(st.user)});
    var main = document.getElementById("main");
    if (!offer || !main || document.getElementById("claim-prompt")) return;
    claimShown = true;
    var box = document.createElement("section");
    box.id = "claim-prompt";
    box.className = "card claim";
    box.setAttribute("aria-labelledby", "claim-title");
    var h = document.createElement("h2");
    h.id = "claim-title";
    h.textContent = "Practice saved on this device";
    var p = document.createElement("p");
    var extras = [];
    if (offer.notes) extras.push(words(offer.notes, "note change", "note changes"));
    if (offer.checks) extras.push(words(offer.checks, "Skill Check answer", "Skill Check answers"));
    p.textContent = "You practised on this device before signing in. Add the " +
      words(offer.answers, "answer", "answers") + " practised on this device to your account" +
      (extras.length ? " (with " + extras.join(" and ") + ")" : "") + "?";
    var actions = document.createElement("div");
    actions.className = "actions";
    var yes = document.createElement("button");
    yes.type = "button"; yes.className = "button"; yes.textContent = "Add them to my account";
    var no = document.createElement("button");
    no.type = "button"; no.className = "button secondary"; no.textContent = "Keep them on this device only";
    var said = document.createElement("p");
    said.setAttribute("role", "status");
    yes.addEventListener("click", async function () {
      yes.disabled = no.disabled = true;
      await claim(st.user);
      said.textContent = "Added to your account.";
      actions.remove();
      document.dispatchEvent(new CustomEvent("qe:claimed"));
    });
    no.addEventListener("click", async function () {
      yes.disabled = no.disabled = true;
      await decline(st.user, offer.total);
      said.textContent = "They stay on this device, under no account.";
      actions.remove();
    });
    actions.appendChild(yes); actions.appendChild(no);
    box.appendChild(h); box.appendChild(p); box.appendChild(actions); box.appendChild(said);
    main.insertBefore(box, main.firstChild);
  }

  listeners.push(renderStatus);
  listeners.push(function (st) { renderClaim(st); });

  // Signing out: sync first, warn about anything still pending, then clear this account's data.
  document.addEventListener("submit", async function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !/\/logout$/.test(new URL(form.action, location.href).pathname)) return;
    var statusLine = document.getElementById("sync-status");
    var owner = (statusLine && statusLine.dataset.owner) || mirrored("owner");
    var waiting = owner ? mirrored("pending:" + owner) : "?";
    event.preventDefault();
    if (owner && owner !== "anon" && (waiting === null || waiting === "0")) {
      // Nothing waits to sync: mark the device signed out first (so a pull still in
      // flight writes nothing back), clear this account's data, then sign out. If the
      // page dies first, the next page finishes the clearing.
      mirror("clear-owner", owner);
      try {
        await idb.setState(HERE, "session", {user: null, at: Date.now()});
        await idb.clearOwner(owner);
        mirror("pending:" + owner, null);
        mirror("owner", "anon");
        mirror("clear-owner", null);
      } finally {
        HTMLFormElement.prototype.submit.call(form);
      }
      return;
    }
    var buttons = form.querySelectorAll("button");
    buttons.forEach(function (b) { b.disabled = true; });
    try {
      var st = await run();
      var s = await currentSession();
      var left = await idb.count("outbox", s.owner);
      if (s.user && left > 0 && !window.confirm(words(left, "change", "changes") +
          " on this device " + (left === 1 ? "has" : "have") + " not reached your account yet (" +
          (st.error || "not synced") + "). Signing out deletes " + (left === 1 ? "it" : "them") +
          " from this device. Sign out anyway?")) {
        return;
      }
      if (s.user) {
        await idb.clearOwner(s.owner);
        mirror("pending:" + s.owner, null);
      }
      await idb.setState(HERE, "session", {user: null, at: Date.now()});
      mirror("owner", "anon");
    } finally {
      buttons.forEach(function (b) { b.disabled = false; });
    }
    HTMLFormElement.prototype.submit.call(form);
  });

  root.addEventListener("online", function () { run(); });
  setInterval(run, TIMER_MS);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) soon(100); });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { run(); });
  else run();
})(typeof self !== "undefined" ? self : this);
