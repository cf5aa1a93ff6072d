// The outbox and the sync protocol: every event is written to IndexedDB first (record), then
// pushed to /api/v1/sync/push; other devices' events come back from /api/v1/sync/pull.
// Plain script: defines self.QE.outbox in pages and in the service worker.
(function (root) {
  "use strict";
  var QE = root.QE = root.QE || {};
  var idb = QE.idb, net = QE.net, who = QE.session;
  var HERE = who.HERE;
  var MAX_BATCH = 200;
  var MAX_BYTES = 200 * 1024; // below the server's 256 KiB

  // Text the server can store: a lone UTF-16 surrogate (a bad paste) becomes U+FFFD.
  function wellFormed(text) {
    if (typeof text !== "string") return text;
    if (text.toWellFormed) return text.toWellFormed();
    return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");
  }

  // Write one event to the outbox and the local copies in ONE transaction; resolves with the
  // local copy only after the transaction completed. `also(stores, local)` may add writes.
  async function record(owner, type, payload, extra, also) {
    payload = Object.fromEntries(Object.entries(payload).map(function (kv) { return [kv[0], wellFormed(kv[1])]; }));
    var device = await who.deviceId();
    var id = who.uuid();
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
    QE.sync.soon();
    backgroundSync();
    return saved;
  }

  function backgroundSync() {
    if (!root.navigator || !navigator.serviceWorker || !navigator.serviceWorker.ready) return;
    navigator.serviceWorker.ready.then(function (reg) {
      return reg.sync ? reg.sync.register("qe-sync") : null;
    }).catch(function () { /* Background Sync refused: the timer and `online` cover it */ });
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

  // Push the outbox in batches; the server's view of this device's clock lands in status.skewMs.
  async function push(owner, device, status) {
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
      var token = (await net.getJson("/api/v1/csrf")).csrf_token; // fresh: tokens go stale offline
      var response;
      try {
        response = await net.fetchIn("/api/v1/sync/push", {
          method: "POST", credentials: "same-origin", cache: "no-store",
          // Whose events these are: if another account signed in meanwhile (a shared
          // computer, another tab), the server answers 409 and files nothing under it.
          headers: Object.assign({"Content-Type": "application/json", "X-CSRFToken": token}, net.ownerHeaders(owner)),
          body: JSON.stringify({device_id: device, client_time: new Date().toISOString(),
                                events: batch.map(function (r) { return r.event; })})
        }, net.TIMEOUTS.push);
      } catch (error) {
        throw net.unreachable(error, "; your changes are kept and will be sent again");
      }
      if (response.status === 401) throw new net.SyncError("auth", "sign in to sync");
      if (!response.ok) {
        var error = await net.errorOf(response);
        if (!refusesEvents(response, error)) throw await net.serverError(response, error);
        if (batch.length > 1) { limit = Math.max(1, Math.floor(batch.length / 2)); continue; }
        // This one event is what the server refuses: set it aside, marked, and send the rest.
        await applyResults(owner, [{id: batch[0].id, status: "invalid", error: error.message || "refused (" + response.status + ")"}]);
        rows = rows.slice(1); limit = MAX_BATCH;
        continue;
      }
      var data = await net.readJson(response);
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
      // For `owner` only: if another account signed in meanwhile, the server answers 409, this
      // throws, and nothing is stored nor the cursor moved (the next round re-checks who it is).
      var data = await net.getJson("/api/v1/sync/pull?after=" + after + "&limit=200", owner);
      var events = data.events || [];
      var stale = false;
      await idb.transaction(["events", "state"], "readwrite", async function (s) {
        // Signed out meanwhile (this account's data was cleared): write nothing back.
        var signedIn = await idb.request(s.state.get([HERE, "session"]));
        if (!signedIn || who.ownerOf(signedIn.value.user) !== owner) { stale = true; return; }
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
      if (stale) throw new net.SyncError("auth", "signed out");
      count += events.length;
      after = data.next_after;
      if (!data.more) break;
    }
    return count;
  }

  QE.outbox = {record: record, wellFormed: wellFormed, pending: pending, push: push, pull: pull};
})(typeof self !== "undefined" ? self : this);
