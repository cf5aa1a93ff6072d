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
  // A stalled connection must not leave "Syncing…" up forever: past these, a request counts
  // as a lost connection (retried). A push may spend 10 s grading on the server.
  var TIMEOUTS = {get: 15000, push: 45000};

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

  function fetchIn(url, options, ms) {
    var signal = root.AbortSignal && AbortSignal.timeout ? AbortSignal.timeout(ms) : undefined;
    return fetch(url, Object.assign({signal: signal}, options));
  }

  // Text the server can store: a lone UTF-16 surrogate (a bad paste) becomes U+FFFD.
  function wellFormed(text) {
    if (typeof text !== "string") return text;
    if (text.toWellFormed) return text.toWellFormed();
    return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");
  }

  // A synchronous mark (localStorage) of an account whose data signing out must still clear:
  // if the page dies between the server's sign-out and the clearing, the next page finishes.
  function mirror(name, value) {
    try {
      if (typeof localStorage === "undefined") return;
      if (value === null) localStorage.removeItem("qe-" + name);
      else localStorage.setItem("qe-" + name, String(value));
    } catch (e) { /* storage refused: signing out still clears before it returns */ }
  }
  function mirrored(name) {
    try { return typeof localStorage === "undefined" ? null : localStorage.getItem("qe-" + name); } catch (e) { return null; }
  }

  // ------------------------------------------------------------------ session

  var session = {user: null, owner: "anon", online: false, known: false};

  async function refreshSession() {
    try {
      var r = await fetchIn("/api/v1/me", {credentials: "same-origin", cache: "no-store"}, TIMEOUTS.get);
      if (!r.ok) throw await serverError(r);
      var data = await r.json();
      session = {user: data.user, owner: ownerOf(data.user), online: true, known: true};
      await idb.setState(HERE, "session", {user: data.user, at: Date.now()});
      // Signed out on the server by a page that died before clearing: clear that account's data now.
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
    payload = Object.fromEntries(Object.entries(payload).map(function (kv) { return [kv[0], wellFormed(kv[1])]; }));
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
    soon();
    backgroundSync();
    return saved;
  }

  // ------------------------------------------------------------------ push and pull

  // kind: "network" (no answer), "server" (an error answer worth retrying), "auth" (sign in
  // first), "refused" (a 4xx that the same request would get again: not retried on a timer).
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
  async function serverError(response, error) {
    error = error || await errorOf(response);
    var words = "the server answered " + response.status + (error.message ? ": " + error.message : "");
    var retry = response.status >= 500 || response.status === 408 || response.status === 429;
    words += (/[.!?]$/.test(words) ? "" : ".") + " Your changes are kept on this device" + (retry ? " and will be sent again." : ".");
    return new SyncError(retry ? "server" : "refused", words, retryAfterMs(response));
  }

  function unreachable(error, words) {
    return new SyncError("network", (error && error.name === "TimeoutError" ? "the server did not answer in time" : "could not reach the server") + (words || ""));
  }

  async function getJson(url) {
    var r;
    try {
      r = await fetchIn(url, {credentials: "same-origin", cache: "no-store"}, TIMEOUTS.get);
    } catch (error) {
      throw unreachable(error);
    }
    if (r.status === 401) throw new SyncError("auth", "sign in to sync");
    if (!r.ok) throw await serverError(r);
    return r.json();
  }

  async function errorOf(response) {
    try {
      var data = await response.json();
      return (data && data.error) || {};
    } catch (e) { return {}; }
  }

  // The server cannot take what was sent (too large, or JSON it cannot store): sending it
  // again never helps, so the events are sent in halves until the one refused is found.
  function refusesEvents(response, error) {
    return response.status === 413 || (response.status === 400 && error.code === "invalid_json");
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
        response = await fetchIn("/api/v1/sync/push", {
          method: "POST", credentials: "same-origin", cache: "no-store",
          headers: {"Content-Type": "application/json", "X-CSRFToken": token},
          body: JSON.stringify({device_id: device, client_time: new Date().toISOString(),
                                events: batch.map(function (r) { return r.event; })})
        }, TIMEOUTS.push);
      } catch (error) {
        throw unreachable(error, "; your changes are kept and will be sent again");
      }
      if (response.status === 401) throw new SyncError("auth", "sign in to sync");
      if (!response.ok) {
        var error = await errorOf(response);
        if (!refusesEvents(response, error)) throw await serverError(response, error);
        if (batch.length > 1) { limit = Math.max(1, Math.floor(batch.length / 2)); continue; }
        // This one event is what the server refuses: set it aside, marked, and send the rest.
        await applyResults(owner, [{id: batch[0].id, status: "invalid", error: error.message || "refused (" + response.status + ")"}]);
        rows = rows.slice(1); limit = MAX_BATCH;
        continue;
      }
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

  var KINDS = {attempt: "an answer", "note.put": "a note", "note.deleted": "a note's deletion", skill_check: "a Skill Check answer"};

  // Acknowledged events leave the outbox; refused ones are marked, and counted for the learner.
  function applyResults(owner, results) {
    return idb.transaction(["outbox", "events", "state"], "readwrite", async function (s) {
      var refused = null;
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
          if (!refused) {
            var row = await idb.request(s.state.get([owner, "refused"]));
            refused = (row && row.value) || {count: 0};
          }
          refused = {count: refused.count + 1, last: (KINDS[local.type] || local.type) + " (" + local.rejected + ")"};
        }
        s.events.put(local);
      }
      if (refused) s.state.put({owner: owner, name: "refused", value: refused});
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
    timeouts: TIMEOUTS,
    session: currentSession, refreshSession: refreshSession, deviceId: deviceId, ownerOf: ownerOf,
    claim: claim, decline: decline, claimOffer: claimOffer, anonSummary: anonSummary,
    wantPack: function () { wantPack = true; replaceNext = true; }, TIMER_MS: TIMER_MS
  };
  QE.local = {record: record, uuid: uuid, wellFormed: wellFormed};

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
    ok.addEventListener("click", async function () {
      await idb.setState(st.owner, "refused", null);
      status.refused = null; notify();
    });
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

  // Signing out: sync first; then sign out on the server, and only once it has, clear this
  // account's data. Offline nothing is cleared: the unsynced work stays, and so does the session.
  document.addEventListener("submit", async function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !/\/logout$/.test(new URL(form.action, location.href).pathname)) return;
    event.preventDefault();
    var buttons = form.querySelectorAll("button");
    buttons.forEach(function (b) { b.disabled = true; });
    try {
      if (await signOut(form)) location.assign("/");
    } finally {
      buttons.forEach(function (b) { b.disabled = false; });
    }
  });

  async function signOut(form) {
    var st = await run();
    var s = await currentSession();
    var left = s.user ? await pending(s.owner) : [];
    var kept = left.length ? " Your " + pendingWords(left) + " kept on this device and will sync when you are back online." : "";
    if (left.length && st.errorKind === "network") {
      window.alert("Signing out needs a connection: you are still signed in." + kept);
      return false;
    }
    if (left.length && !window.confirm(words(left.length, "change", "changes") + " on this device " +
        (left.length === 1 ? "has" : "have") + " not reached your account yet (" + (st.error || "not synced") +
        "). Signing out deletes " + (left.length === 1 ? "it" : "them") + " from this device. Sign out anyway?")) {
      return false;
    }
    var out = await serverSignOut(form);
    if (out !== "done") {
      window.alert((out === "offline" ? "Signing out needs a connection to the server: you are still signed in." :
        "The server did not sign you out; reload the page and try again.") + kept);
      return false;
    }
    // Signed out on the server: now clear. If this page dies first, the next one finishes.
    mirror("clear-owner", s.owner);
    await idb.setState(HERE, "session", {user: null, at: Date.now()}); // a pull in flight writes nothing back
    if (s.user) await idb.clearOwner(s.owner);
    mirror("clear-owner", null);
    return true;
  }

  // Post the form with a fresh CSRF token (the page may be old); "done" once the server says
  // nobody is signed in here, "offline" when it cannot be reached, "refused" otherwise.
  async function serverSignOut(form) {
    var done;
    try {
      var fields = new URLSearchParams(new FormData(form));
      fields.set("csrf_token", (await getJson("/api/v1/csrf")).csrf_token);
      await fetchIn(form.action, {method: "POST", body: fields, credentials: "same-origin", redirect: "manual"}, TIMEOUTS.get);
      var me = await getJson("/api/v1/me");
      done = !me.user;
    } catch (error) {
      return error instanceof SyncError && error.kind !== "network" ? "refused" : "offline";
    }
    return done ? "done" : "refused";
  }

  function pendingWords(rows) {
    var answers = rows.filter(function (r) { return r.event.type === "attempt"; }).length;
    var others = rows.length - answers;
    var parts = [answers ? words(answers, "answer", "answers") : "", others ? words(others, "other change", "other changes") : ""];
    return parts.filter(Boolean).join(" and ") + (rows.length === 1 ? " is" : " are");
  }

  root.addEventListener("online", function () { run(); });
  setInterval(run, TIMER_MS);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) soon(100); });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { run(); });
  else run();
})(typeof self !== "undefined" ? self : this);
