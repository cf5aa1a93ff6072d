// Signing in and out on this device: an anonymous learner's practice is claimed by the account
// they sign in to (with their consent), and signing out clears the account's data from the
// device, only once the server has signed the browser out. Pages only (not the worker).
(function () {
  "use strict";
  var QE = window.QE;
  var idb = QE.idb, net = QE.net, who = QE.session;

  function words(n, one, many) { return n + " " + (n === 1 ? one : many); }

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
    var owner = who.ownerOf(user);
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
    return QE.sync.run();
  }

  function decline(user, count) {
    return idb.setState(who.ownerOf(user), "claim_declined", count);
  }

  async function claimOffer(s) {
    if (!s.user) return null;
    var summary = await anonSummary();
    if (!summary.total) return null;
    var declined = (await idb.getState(s.owner, "claim_declined")) || 0;
    return summary.total > declined ? summary : null;
  }

  Object.assign(QE.sync, {claim: claim, decline: decline, claimOffer: claimOffer, anonSummary: anonSummary});

  var claimShown = false;
  async function renderClaim(st) {
    if (claimShown || st.running || !st.user) return;
    var offer = await claimOffer({user: st.user, owner: who.ownerOf(st.user)});
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

  QE.sync.onChange(function (st) { renderClaim(st); });

  // ------------------------------------------------------------------ signing out

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
    var st = await QE.sync.run();
    var s = await who.current();
    var left = s.user ? await QE.outbox.pending(s.owner) : [];
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
    who.mirror("clear-owner", s.owner);
    await idb.setState(who.HERE, "session", {user: null, at: Date.now()}); // a pull in flight writes nothing back
    if (s.user) await idb.clearOwner(s.owner);
    who.mirror("clear-owner", null);
    return true;
  }

  // Post the form with a fresh CSRF token (the page may be old); "done" once the server says
  // nobody is signed in here, "offline" when it cannot be reached, "refused" otherwise.
  async function serverSignOut(form) {
    var done;
    try {
      var fields = new URLSearchParams(new FormData(form));
      fields.set("csrf_token", (await net.getJson("/api/v1/csrf")).csrf_token);
      await net.fetchIn(form.action, {method: "POST", body: fields, credentials: "same-origin", redirect: "manual"}, net.TIMEOUTS.get);
      var me = await net.getJson("/api/v1/me");
      done = !me.user;
    } catch (error) {
      return error instanceof net.SyncError && error.kind !== "network" ? "refused" : "offline";
    }
    return done ? "done" : "refused";
  }

  function pendingWords(rows) {
    var answers = rows.filter(function (r) { return r.event.type === "attempt"; }).length;
    var others = rows.length - answers;
    var parts = [answers ? words(answers, "answer", "answers") : "", others ? words(others, "other change", "other changes") : ""];
    return parts.filter(Boolean).join(" and ") + (rows.length === 1 ? " is" : " are");
  }
})();
