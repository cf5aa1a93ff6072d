// A small IndexedDB wrapper for local-first practice.
// Stores (every record carries its owner: an account id as text, or "anon"):
//   outbox: events not yet acknowledged by the server   {id, owner, event, tries}
//   events: local copies of every event, ours and pulled {id, owner, type, hlc, device_id, payload, seq, ...}
//   state:  small values keyed by [owner, name]; owner "*" is this device (device id, clock, lessons)
(function (root) {
  "use strict";
  var QE = root.QE = root.QE || {};
  var NAME = "quizengine";
  var VERSION = 1;
  var opening = null;

  function request(r) {
    return new Promise(function (resolve, reject) {
      r.onsuccess = function () { resolve(r.result); };
      r.onerror = function () { reject(r.error); };
    });
  }

  function open() {
    if (opening) return opening;
    opening = new Promise(function (resolve, reject) {
      var r = root.indexedDB.open(NAME, VERSION);
      r.onupgradeneeded = function () {
        var db = r.result;
        if (!db.objectStoreNames.contains("outbox")) {
          db.createObjectStore("outbox", {keyPath: "id"}).createIndex("owner", "owner");
        }
        if (!db.objectStoreNames.contains("events")) {
          var events = db.createObjectStore("events", {keyPath: "id"});
          events.createIndex("owner", "owner");
          events.createIndex("owner_type", ["owner", "type"]);
        }
        if (!db.objectStoreNames.contains("state")) {
          db.createObjectStore("state", {keyPath: ["owner", "name"]});
        }
      };
      r.onsuccess = function () {
        var db = r.result;
        db.onversionchange = function () { db.close(); opening = null; };
        resolve(db);
      };
      r.onerror = function () { opening = null; reject(r.error); };
      r.onblocked = function () { /* another tab holds an old version; it closes on versionchange */ };
    });
    return opening;
  }

  // Run `body(stores)` in one transaction; resolve with its result only after the
  // transaction has COMPLETED (the data is on disk), reject if it aborts.
  // `body` may await IndexedDB requests (via QE.idb.request) but nothing else.
  function transaction(names, mode, body) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(names, mode, {durability: "strict"});
        var stores = {};
        names.forEach(function (n) { stores[n] = tx.objectStore(n); });
        var result;
        var failed = null;
        tx.oncomplete = function () { if (failed) reject(failed); else resolve(result); };
        tx.onerror = function () { failed = failed || tx.error; };
        tx.onabort = function () { reject(failed || tx.error || new Error("transaction aborted")); };
        Promise.resolve().then(function () { return body(stores, tx); }).then(function (value) {
          result = value;
        }, function (error) {
          failed = error;
          try { tx.abort(); } catch (e) { /* already finished */ }
        });
      });
    });
  }

  function get(store, key) {
    return transaction([store], "readonly", function (s) { return request(s[store].get(key)); });
  }

  function byOwner(store, owner) {
    return transaction([store], "readonly", function (s) {
      return request(s[store].index("owner").getAll(owner));
    });
  }

  function count(store, owner) {
    return transaction([store], "readonly", function (s) {
      return request(s[store].index("owner").count(owner));
    });
  }

  function getState(owner, name) {
    return get("state", [owner, name]).then(function (row) { return row ? row.value : undefined; });
  }

  function setState(owner, name, value) {
    return transaction(["state"], "readwrite", function (s) {
      return request(s.state.put({owner: owner, name: name, value: value}));
    });
  }

  // Remove everything one owner has on this device (signing out).
  function clearOwner(owner) {
    return transaction(["outbox", "events", "state"], "readwrite", async function (s) {
      var keys = await request(s.outbox.index("owner").getAllKeys(owner));
      keys.forEach(function (k) { s.outbox.delete(k); });
      keys = await request(s.events.index("owner").getAllKeys(owner));
      keys.forEach(function (k) { s.events.delete(k); });
      s.state.delete(IDBKeyRange.bound([owner, ""], [owner, "\uffff"]));
    });
  }

  QE.idb = {
    open: open, request: request, transaction: transaction, get: get, byOwner: byOwner,
    count: count, getState: getState, setState: setState, clearOwner: clearOwner
  };
})(typeof self !== "undefined" ? self : this);
