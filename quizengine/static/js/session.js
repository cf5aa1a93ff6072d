// Who is signed in on this device, as far as it knows offline, and this device's own id.
// Plain script: defines self.QE.session in pages and in the service worker.
(function (root) {
  "use strict";
  var QE = root.QE = root.QE || {};
  var idb = QE.idb, net = QE.net;
  var HERE = "*"; // state owned by this device rather than by an account

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

  var session = {user: null, owner: "anon", online: false, known: false};

  async function refreshSession() {
    try {
      var r = await net.fetchIn("/api/v1/me", {credentials: "same-origin", cache: "no-store"}, net.TIMEOUTS.get);
      if (!r.ok) throw await net.serverError(r);
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
      var problem = error instanceof net.SyncError ? error : null;
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

  QE.session = {
    HERE: HERE, uuid: uuid, deviceId: deviceId, ownerOf: ownerOf, mirror: mirror,
    refresh: refreshSession, current: currentSession
  };
})(typeof self !== "undefined" ? self : this);
