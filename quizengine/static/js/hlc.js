// Hybrid logical clock (CONTRACT.md): "MMMMMMMMMMMMMMM-CCCC-DEVICE", string order = clock order.
// Plain script: defines self.QE.hlc in pages and in the service worker.
(function (root) {
  "use strict";
  var QE = root.QE = root.QE || {};
  var MAX_COUNTER = 9999;
  var MAX_AHEAD_MS = 24 * 3600 * 1000; // a remote clock further ahead than this is not followed

  function pad(n, width) { return String(n).padStart(width, "0"); }

  function format(clock, device) {
    return pad(clock.ms, 15) + "-" + pad(clock.c, 4) + "-" + device;
  }

  function parse(text) {
    var m = /^(\d{15})-(\d{4})-([A-Za-z0-9_.:-]{1,64})$/.exec(String(text || ""));
    return m ? {ms: parseInt(m[1], 10), c: parseInt(m[2], 10), device: m[3]} : null;
  }

  function carry(clock) {
    // The counter has four digits: past 9999 the clock borrows one millisecond.
    return clock.c > MAX_COUNTER ? {ms: clock.ms + 1, c: 0} : clock;
  }

  // A local event: the clock moves past both the wall clock and every clock seen so far.
  function tick(clock, now) {
    clock = clock || {ms: 0, c: 0};
    if (now > clock.ms) return {ms: now, c: 0};
    return carry({ms: clock.ms, c: clock.c + 1});
  }

  // A remote event arrived: standard HLC receive rule.
  function receive(clock, remote, now) {
    clock = clock || {ms: 0, c: 0};
    if (!remote || remote.ms > now + MAX_AHEAD_MS) return clock;
    var ms = Math.max(clock.ms, remote.ms, now);
    var c;
    if (ms === clock.ms && ms === remote.ms) c = Math.max(clock.c, remote.c) + 1;
    else if (ms === clock.ms) c = clock.c + 1;
    else if (ms === remote.ms) c = remote.c + 1;
    else c = 0;
    return carry({ms: ms, c: c});
  }

  QE.hlc = {format: format, parse: parse, tick: tick, receive: receive};
})(typeof self !== "undefined" ? self : this);
