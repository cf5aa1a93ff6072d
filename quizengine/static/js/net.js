// Talking to the server: requests with a time limit, and errors a learner can read.
// Plain script: defines self.QE.net in pages and in the service worker.
(function (root) {
  "use strict";
  var QE = root.QE = root.QE || {};
  // A stalled connection must not leave "Syncing…" up forever: past these, a request counts
  // as a lost connection (retried). A push may spend 10 s grading on the server.
  var TIMEOUTS = {get: 15000, push: 45000};

  function fetchIn(url, options, ms) {
    var signal = root.AbortSignal && AbortSignal.timeout ? AbortSignal.timeout(ms) : undefined;
    return fetch(url, Object.assign({signal: signal}, options));
  }

  // kind: "network" (no answer), "server" (an error answer worth retrying), "auth" (sign in
  // first), "refused" (a 4xx that the same request would get again: not retried on a timer),
  // "owner" (another account is signed in now than the one the request was for: the next
  // round asks who is signed in and syncs for them).
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
    if (response.status === 409 && error.code === "another_user") {
      return new SyncError("owner", "another account was signed in here meanwhile: nothing was stored or sent for it; syncing again for the account signed in now");
    }
    var words = "the server answered " + response.status + (error.message ? ": " + error.message : "");
    var retry = response.status >= 500 || response.status === 408 || response.status === 429;
    words += (/[.!?]$/.test(words) ? "" : ".") + " Your changes are kept on this device" + (retry ? " and will be sent again." : ".");
    return new SyncError(retry ? "server" : "refused", words, retryAfterMs(response));
  }

  function unreachable(error, words) {
    return new SyncError("network", (error && error.name === "TimeoutError" ? "the server did not answer in time" : "could not reach the server") + (words || ""));
  }

  // The header that says whose data a sync request is for ("anon": none, as nobody's is).
  function ownerHeaders(owner) {
    return owner && owner !== "anon" ? {"X-Quizengine-Owner": owner} : {};
  }

  // GET `url` as JSON. With `owner` (a signed-in account's), the server refuses (409) when
  // another account is signed in now, so nothing of theirs is filed under `owner`.
  async function getJson(url, owner) {
    var r;
    try {
      r = await fetchIn(url, {credentials: "same-origin", cache: "no-store", headers: ownerHeaders(owner)}, TIMEOUTS.get);
    } catch (error) {
      throw unreachable(error);
    }
    if (r.status === 401) throw new SyncError("auth", "sign in to sync");
    if (!r.ok) throw await serverError(r);
    return readJson(r);
  }

  // The body of a good answer: cut off (a timeout while it arrives) or not JSON (a proxy's
  // page) counts as a lost connection, retried like one.
  async function readJson(response) {
    try {
      return await response.json();
    } catch (error) {
      throw error && error.name === "SyntaxError" ?
        new SyncError("network", "the server's answer could not be read; it will be asked again") : unreachable(error);
    }
  }

  async function errorOf(response) {
    try {
      var data = await response.json();
      return (data && data.error) || {};
    } catch (e) { return {}; }
  }

  QE.net = {
    TIMEOUTS: TIMEOUTS, fetchIn: fetchIn, SyncError: SyncError, serverError: serverError,
    unreachable: unreachable, getJson: getJson, errorOf: errorOf,
    readJson: readJson, ownerHeaders: ownerHeaders
  };
})(typeof self !== "undefined" ? self : this);
