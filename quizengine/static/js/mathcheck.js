// Offline answer checking: read a learner's answer and compare its values with the
// hashed values a problem pack ships (quizengine/packs.py). Never uses eval/Function.
//
// Grammar follows question_bank/parser.py: numbers, + - * / ^ **, unary minus,
// parentheses, implicit multiplication (2x, 6xy, 2(x+1), x y) split into the declared
// variables (fewest pieces; multi-letter names never split), functions sqrt exp log ln
// sin cos tan abs, constants pi and e, unicode − × · ÷ √ π ² ³ and Greek letters;
// vectors (a, b) / [a, b], matrices [[a,b],[c,d]] / [a, b; c, d], point sets {(0,0),(1,-1)}.
(function (root) {
  "use strict";
  var QE = root.QE = root.QE || {};

  // ---------------------------------------------------------------- numbers and hashes

  // Python: f"{value:.{figures-1}e}" (round half to even on exact ties), exponent without
  // "+" or leading zeros; "0" for zero, "nan" for anything not finite.
  function roundText(value, figures) {
    figures = figures || 8;
    if (value === 0) return "0";
    if (typeof value !== "number" || !isFinite(value)) return "nan";
    var text = value.toExponential(figures - 1);
    var exact = Math.abs(value).toExponential(Math.min(100, figures + 60));
    var digits = exact.split("e")[0].replace(".", "");
    var tail = digits.slice(figures);
    if (/^50*$/.test(tail)) {
      // An exact tie: JavaScript rounds away from zero, Python to the even digit.
      var head = digits.slice(0, figures);
      var exponent = parseInt(exact.split("e")[1], 10);
      if (parseInt(head[head.length - 1], 10) % 2 === 1) {
        var bumped = (BigInt(head) + 1n).toString();
        if (bumped.length > figures) { bumped = bumped.slice(0, figures); exponent += 1; }
        head = bumped;
      }
      text = (value < 0 ? "-" : "") + head[0] + (figures > 1 ? "." + head.slice(1) : "") +
        "e" + exponent;
    }
    var parts = text.split("e");
    return parts[0] + "e" + String(parseInt(parts[1], 10));
  }

  async function digest(salt, text) {
    var data = new TextEncoder().encode(salt + ":" + text);
    var buffer = await root.crypto.subtle.digest("SHA-256", data);
    var hex = Array.prototype.map.call(new Uint8Array(buffer), function (b) {
      return b.toString(16).padStart(2, "0");
    }).join("");
    return hex.slice(0, 24);
  }

  // ---------------------------------------------------------------- tokenizer

  function ReadError(message) { this.message = message; }
  ReadError.prototype = Object.create(Error.prototype);
  ReadError.prototype.name = "ReadError";

  var GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ϵ": "epsilon",
    "ζ": "zeta", "η": "eta", "θ": "theta", "ϑ": "theta", "ι": "iota", "κ": "kappa",
    "λ": "lambda", "μ": "mu", "ν": "nu", "ξ": "xi", "ρ": "rho", "σ": "sigma", "τ": "tau",
    "υ": "upsilon", "φ": "phi", "ϕ": "phi", "χ": "chi", "ψ": "psi", "ω": "omega",
    "Λ": "Lambda", "Δ": "Delta", "Σ": "Sigma", "Θ": "Theta", "Φ": "Phi", "Ω": "Omega",
    "Γ": "Gamma"
  };
  var SYMBOLS = {
    "\u2212": "-", "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
    "\ufe63": "-", "\uff0d": "-", "×": "*", "·": "*", "⋅": "*", "∙": "*", "✕": "*", "∗": "*",
    "÷": "/", "∕": "/", "⁄": "/", "π": "pi", "\r": "\n", "\t": " "
  };
  Object.keys(GREEK).forEach(function (k) { SYMBOLS[k] = GREEK[k]; });
  var SUPERSCRIPTS = {
    "⁰": "0", "¹": "1", "²": "2", "³": "3", "⁴": "4", "⁵": "5", "⁶": "6", "⁷": "7", "⁸": "8",
    "⁹": "9", "⁻": "-", "⁺": "+"
  };
  var MAX_LENGTH = 2000;
  var MAX_TOKENS = 600;
  var MAX_DEPTH = 40;

  function normalise(text) {
    var out = [];
    var chars = Array.from(text);
    for (var i = 0; i < chars.length; i++) {
      var ch = chars[i];
      if (SUPERSCRIPTS[ch] !== undefined) {
        var digits = "";
        while (i < chars.length && SUPERSCRIPTS[chars[i]] !== undefined) digits += SUPERSCRIPTS[chars[i++]];
        i--;
        out.push("^(" + digits + ")");
        continue;
      }
      if (SYMBOLS[ch] !== undefined) { out.push(SYMBOLS[ch]); continue; }
      if (/^\p{Zs}$/u.test(ch)) { out.push(" "); continue; }
      var folded = ch.normalize("NFKC");
      out.push(Array.from(folded).map(function (c) { return SYMBOLS[c] !== undefined ? SYMBOLS[c] : c; }).join(""));
    }
    return out.join("");
  }

  function isDigit(c) { return c >= "0" && c <= "9"; }
  function isLetter(c) { return (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c === "_"; }

  function tokenize(raw) {
    if (raw.length > MAX_LENGTH) throw new ReadError("the answer is too long to read here");
    var s = normalise(raw);
    var tokens = [];
    var pos = 0, space = false, stack = [];
    function emit(kind, text, extra) {
      if (tokens.length >= MAX_TOKENS) throw new ReadError("the answer has too many symbols");
      var t = {kind: kind, text: text, space: space};
      if (extra) Object.keys(extra).forEach(function (k) { t[k] = extra[k]; });
      tokens.push(t);
      space = false;
    }
    while (pos < s.length) {
      var c = s[pos];
      if (c === " ") { space = true; pos++; continue; }
      if (isDigit(c) || c === ".") {
        var start = pos;
        while (pos < s.length && isDigit(s[pos])) pos++;
        if (s[pos] === ".") {
          if (!isDigit(s[pos + 1] || "")) throw new ReadError("a decimal point needs a digit after it");
          pos++;
          while (pos < s.length && isDigit(s[pos])) pos++;
        }
        if (s[pos] === "e" || s[pos] === "E") {
          var off = (s[pos + 1] === "+" || s[pos + 1] === "-") ? 2 : 1;
          if (isDigit(s[pos + off] || "")) {
            pos += off;
            while (pos < s.length && isDigit(s[pos])) pos++;
          }
        }
        var text = s.slice(start, pos);
        emit("num", text, {value: Number(text)});
        continue;
      }
      if (isLetter(c)) {
        var begin = pos;
        while (pos < s.length && (isLetter(s[pos]) || isDigit(s[pos]))) pos++;
        emit("name", s.slice(begin, pos));
        continue;
      }
      pos++;
      if (c === "*" && s[pos] === "*") { pos++; emit("op", "^"); }
      else if ("+-*/^".indexOf(c) >= 0) emit("op", c);
      else if (c === "√") emit("name", "sqrt");
      else if ("([{".indexOf(c) >= 0) {
        if (stack.length >= MAX_DEPTH) throw new ReadError("brackets are nested too deeply");
        stack.push(c); emit("open", c);
      } else if (")]}".indexOf(c) >= 0) {
        var want = {")": "(", "]": "[", "}": "{"}[c];
        if (stack[stack.length - 1] !== want) throw new ReadError("unexpected '" + c + "'");
        stack.pop(); emit("close", c);
      } else if (c === ",") emit("comma", c);
      else if (c === ";") emit("semi", c);
      else if (c === "\n") emit("newline", c);
      else if (c === "=") throw new ReadError("'=' reads as an equation; enter only the expression");
      else if (c === "|") throw new ReadError("write abs(x) for an absolute value");
      else if (c === "\\") throw new ReadError("LaTeX is not read here; type plain text such as sqrt(2)/2");
      else throw new ReadError("unexpected character '" + c + "'");
    }
    if (stack.length) throw new ReadError("'" + stack[stack.length - 1] + "' is never closed");
    emit("end", "");
    return cleanNewlines(tokens);
  }

  // A line break separates matrix rows inside [ ]; elsewhere it is white space.
  function cleanNewlines(tokens) {
    var out = [], stack = [], pending = false;
    for (var i = 0; i < tokens.length; i++) {
      var t = tokens[i];
      if (t.kind === "open") stack.push(t.text);
      else if (t.kind === "close" && stack.length) stack.pop();
      if (t.kind === "newline") {
        var prev = out[out.length - 1], next = tokens[i + 1];
        var isRow = prev && !(stack.length && stack[stack.length - 1] !== "[") &&
          ["open", "comma", "semi", "newline", "op"].indexOf(prev.kind) < 0 &&
          ["close", "comma", "semi", "end", "newline"].indexOf(next.kind) < 0 &&
          !(next.kind === "op" && "*/^".indexOf(next.text) >= 0);
        if (isRow) out.push(t); else pending = true;
        continue;
      }
      if (pending) { t = Object.assign({}, t, {space: true}); pending = false; }
      out.push(t);
    }
    return out;
  }

  // ---------------------------------------------------------------- names

  var FUNCTIONS = {
    sqrt: Math.sqrt, exp: Math.exp, log: Math.log, ln: Math.log, sin: Math.sin, cos: Math.cos,
    tan: Math.tan, abs: Math.abs
  };

  function vocabulary(variables) {
    var index = {};
    (variables || []).forEach(function (name, i) {
      index[normalise(String(name)).trim()] = i;
    });
    function lookup(word) {
      if (Object.prototype.hasOwnProperty.call(index, word)) return {kind: "var", index: index[word]};
      var lower = word.toLowerCase();
      if (Object.prototype.hasOwnProperty.call(FUNCTIONS, lower)) return {kind: "fn", name: lower};
      if (lower === "pi") return {kind: "const", value: Math.PI};
      if (word === "e" || word === "E") return {kind: "const", value: Math.E};
      return null;
    }
    function split(word) {
      // Fewest pieces wins; two different splits with equally few pieces are ambiguous.
      var n = word.length;
      var best = [{count: 0, path: [], ambiguous: false}];
      for (var k = 1; k <= n; k++) best.push({count: n + 1, path: null, ambiguous: false});
      for (var end = 1; end <= n; end++) {
        var count = n + 1, path = null, ambiguous = false;
        for (var start = Math.max(0, end - 12); start < end; start++) {
          var prev = best[start];
          if (prev.path === null || lookup(word.slice(start, end)) === null) continue;
          if (prev.count + 1 < count) {
            count = prev.count + 1; path = prev.path.concat([word.slice(start, end)]); ambiguous = prev.ambiguous;
          } else if (prev.count + 1 === count) ambiguous = true;
        }
        best[end] = {count: count, path: path, ambiguous: ambiguous};
      }
      var last = best[n];
      if (last.path === null) {
        var names = Object.keys(index).sort().join(", ") || "none";
        throw new ReadError("unknown name '" + word + "'; the variables here are " + names);
      }
      if (last.ambiguous) throw new ReadError("'" + word + "' can be read in more than one way; put * between the names");
      return last.path;
    }
    return {lookup: lookup, split: split, size: (variables || []).length};
  }

  // ---------------------------------------------------------------- parser

  var BINARY = {"+": 10, "-": 10, "*": 20, "/": 20, "^": 30};
  var IMPLICIT = 20, UNARY = 25, POWER_RIGHT = 29;
  var ROW_END = {semi: 1, newline: 1, close: 1, end: 1};

  function Parser(tokens, vocab) {
    this.tokens = tokens; this.vocab = vocab; this.pos = 0; this.depth = 0;
  }
  Parser.prototype.peek = function (o) {
    return this.tokens[Math.min(this.pos + (o || 0), this.tokens.length - 1)];
  };
  Parser.prototype.advance = function () { var t = this.peek(); this.pos++; return t; };
  Parser.prototype.unexpected = function (t, why) {
    var shown = t.kind === "end" ? "the answer ends too early" : "unexpected '" + (t.kind === "newline" ? "line break" : t.text) + "'";
    return new ReadError(shown + (why ? "; " + why : ""));
  };
  Parser.prototype.top = function () {
    if (this.peek().kind === "end") throw new ReadError("the answer is empty");
    var value = this.rowsOrList(null, "");
    if (this.peek().kind !== "end") throw this.unexpected(this.peek());
    return value;
  };
  Parser.prototype.scan = function (rowOnly) {
    var depth = 0, rows = false, comma = false;
    for (var i = this.pos; i < this.tokens.length; i++) {
      var t = this.tokens[i];
      if (t.kind === "open") depth++;
      else if (t.kind === "close") { depth--; if (depth < 0) break; }
      else if (t.kind === "end") break;
      else if (depth === 0 && (t.kind === "semi" || t.kind === "newline")) { rows = true; if (rowOnly) break; }
      else if (depth === 0 && t.kind === "comma") comma = true;
    }
    return {rows: rows, comma: comma};
  };
  Parser.prototype.rowsOrList = function (closer, bracket) {
    var scanned = this.scan(false);
    if (!scanned.rows) {
      var entries = this.row(bracket === "[" && !scanned.comma);
      if (closer === null && entries.length === 1) return entries[0];
      return {t: "vec", items: entries, bracket: bracket};
    }
    var rows = [this.row(!this.scan(true).comma)];
    while (this.peek().kind === "semi" || this.peek().kind === "newline") {
      this.advance();
      rows.push(this.row(!this.scan(true).comma));
    }
    if (rows.every(function (r) { return r.length === 1; })) {
      return {t: "vec", items: rows.map(function (r) { return r[0]; }), bracket: bracket};
    }
    var width = rows[0].length;
    if (!rows.every(function (r) { return r.length === width; })) throw new ReadError("the rows of the matrix have different lengths");
    return {t: "mat", rows: rows};
  };
  Parser.prototype.row = function (space) {
    var entries = [this.entry(space)];
    for (;;) {
      var t = this.peek();
      if (t.kind === "comma" && !space) { this.advance(); entries.push(this.entry(space)); }
      else if (space && !ROW_END[t.kind]) entries.push(this.entry(space));
      else break;
    }
    return entries;
  };
  Parser.prototype.entry = function (space) {
    var t = this.peek();
    if (ROW_END[t.kind] || t.kind === "comma") throw this.unexpected(t, "an entry is missing");
    return this.expression(0, space);
  };
  Parser.prototype.expression = function (rbp, space) {
    if (++this.depth > 2 * MAX_DEPTH) throw new ReadError("the expression is nested too deeply");
    var left = this.nud(space);
    for (;;) {
      var t = this.peek();
      if (this.bindingPower(t, space) <= rbp) break;
      left = this.led(left, t, space);
    }
    this.depth--;
    return left;
  };
  Parser.prototype.bindingPower = function (t, space) {
    if (t.kind === "op") {
      if (space && t.space && (t.text === "+" || t.text === "-") && !this.peek(1).space) return 0;
      return BINARY[t.text];
    }
    var starts = t.kind === "num" || t.kind === "name" || (t.kind === "open" && t.text === "(");
    return starts && !(space && t.space) ? IMPLICIT : 0;
  };
  Parser.prototype.led = function (left, t, space) {
    if (t.kind !== "op") {
      var previous = this.tokens[this.pos - 1];
      if (t.kind === "num" && previous.kind === "num") throw new ReadError("missing operator between '" + previous.text + "' and '" + t.text + "'");
      return combine("*", left, this.expression(IMPLICIT, space));
    }
    this.advance();
    var rbp = t.text === "^" ? POWER_RIGHT : BINARY[t.text];
    var next = this.peek();
    if (ROW_END[next.kind] || next.kind === "comma") throw this.unexpected(next, "'" + t.text + "' needs something after it");
    return combine(t.text, left, this.expression(rbp, space));
  };
  Parser.prototype.nud = function (space) {
    var t = this.peek();
    if (t.kind === "num") { this.advance(); return {t: "num", v: t.value}; }
    if (t.kind === "name") return this.name(t, space);
    if (t.kind === "op" && (t.text === "+" || t.text === "-")) {
      this.advance();
      var operand = this.expression(UNARY, space);
      if (t.text === "+") return operand;
      scalar(operand, "-");
      return {t: "neg", a: operand};
    }
    if (t.kind === "open") { this.advance(); return this.bracket(t); }
    throw this.unexpected(t);
  };
  Parser.prototype.name = function (t, space) {
    var meaning = this.vocab.lookup(t.text);
    if (meaning === null) {
      var pieces = this.vocab.split(t.text);
      var replaced = pieces.map(function (p, i) { return {kind: "name", text: p, space: t.space && i === 0}; });
      Array.prototype.splice.apply(this.tokens, [this.pos, 1].concat(replaced));
      return this.nud(space);
    }
    this.advance();
    if (meaning.kind === "var") return {t: "var", i: meaning.index};
    if (meaning.kind === "const") return {t: "num", v: meaning.value};
    var exponent = null;
    if (this.peek().kind === "op" && this.peek().text === "^") { // sin^2(x)
      this.advance();
      exponent = this.expression(POWER_RIGHT, space);
    }
    var next = this.peek(), argument;
    if (next.kind === "open" && next.text === "(") {
      this.advance();
      argument = this.expression(0, false);
      if (this.peek().kind === "comma") throw new ReadError("'" + t.text + "' takes one argument");
      this.expectClose(")");
    } else if (next.kind === "num" || next.kind === "name" || (next.kind === "op" && next.text === "-")) {
      argument = this.expression(POWER_RIGHT, space);
    } else {
      throw new ReadError("'" + t.text + "' needs an argument, e.g. " + t.text.toLowerCase() + "(x)");
    }
    scalar(argument, t.text);
    var applied = {t: "fn", f: meaning.name, a: argument};
    return exponent ? combine("^", applied, exponent) : applied;
  };
  Parser.prototype.expectClose = function (text) {
    var t = this.peek();
    if (t.kind !== "close" || t.text !== text) throw this.unexpected(t, "expected '" + text + "'");
    this.advance();
  };
  Parser.prototype.bracket = function (t) {
    var closer = {"(": ")", "[": "]", "{": "}"}[t.text];
    var value;
    if (t.text === "[") {
      value = this.peek().kind === "close" ? {t: "vec", items: [], bracket: "["} : this.rowsOrList("]", "[");
    } else if (t.text === "{") {
      value = {t: "set", items: this.commaItems()};
    } else {
      var items = this.commaItems();
      if (!items.length) throw new ReadError("empty brackets '()'");
      value = items.length === 1 ? items[0] : {t: "vec", items: items, bracket: "("};
    }
    this.expectClose(closer);
    return value;
  };
  Parser.prototype.commaItems = function () {
    var items = [];
    if (this.peek().kind === "close") return items;
    items.push(this.entry(false));
    while (this.peek().kind === "comma") { this.advance(); items.push(this.entry(false)); }
    return items;
  };

  var SCALAR = {num: 1, var: 1, neg: 1, bin: 1, fn: 1};
  function scalar(node, op) {
    if (!SCALAR[node.t]) throw new ReadError("cannot use '" + op + "' with " + describe(node));
  }
  function describe(node) {
    return {vec: "a vector", mat: "a matrix", set: "a set of points"}[node.t] || "this";
  }
  function combine(op, a, b) {
    scalar(a, op); scalar(b, op);
    return {t: "bin", op: op, a: a, b: b};
  }

  function read(text, variables) {
    var vocab = vocabulary(variables || []);
    return new Parser(tokenize(String(text)), vocab).top();
  }

  // ---------------------------------------------------------------- evaluation

  function evaluate(node, at) {
    switch (node.t) {
      case "num": return node.v;
      case "var": return at && node.i < at.length ? Number(at[node.i]) : NaN;
      case "neg": return -evaluate(node.a, at);
      case "fn": return FUNCTIONS[node.f](evaluate(node.a, at));
      case "bin": {
        var a = evaluate(node.a, at), b = evaluate(node.b, at);
        if (node.op === "+") return a + b;
        if (node.op === "-") return a - b;
        if (node.op === "*") return a * b;
        if (node.op === "/") return a / b;
        return power(a, b);
      }
      default: throw new ReadError("expected a single value, not " + describe(node));
    }
  }

  function power(a, b) {
    if (a < 0 && !Number.isInteger(b)) {
      // A real odd root of a negative number, as (-8)^(1/3) = -2 is not meant here: NaN,
      // matching the server, which treats complex values as not a number.
      return NaN;
    }
    return Math.pow(a, b);
  }

  // The value as nested arrays of scalar nodes: {kind, shape, entries (row-major)}.
  function structure(node) {
    if (node.t === "mat") {
      return {kind: "matrix", shape: [node.rows.length, node.rows[0].length], entries: [].concat.apply([], node.rows)};
    }
    if (node.t === "vec") {
      if (node.items.length && node.items.every(function (i) { return i.t === "vec"; })) {
        var width = node.items[0].items.length;
        if (node.items.every(function (i) { return i.items.length === width && i.items.every(function (e) { return SCALAR[e.t]; }); })) {
          return {kind: "rows", shape: [node.items.length, width], entries: [].concat.apply([], node.items.map(function (i) { return i.items; })), points: node.items};
        }
      }
      return {kind: "vector", shape: [node.items.length], entries: node.items};
    }
    if (node.t === "set") return {kind: "set", shape: [node.items.length], entries: node.items};
    return {kind: "scalar", shape: [], entries: [node]};
  }

  // ---------------------------------------------------------------- checking

  // Returns {status: "correct" | "incorrect" | "invalid" | "unchecked", certain, message}.
  async function check(problem, answer, salt) {
    var c = problem.check || {method: "server"};
    salt = salt || problem.salt;
    var text = String(answer || "").trim();
    if (!text) return {status: "invalid", certain: true, message: "the answer is empty"};
    if (c.method === "choice") {
      var ok = (await digest(salt, text)) === c.hash;
      return {status: ok ? "correct" : "incorrect", certain: true};
    }
    var node;
    try {
      node = read(text, problem.variables || c.variables || []);
    } catch (error) {
      if (error instanceof ReadError) return {status: "invalid", certain: false, message: error.message};
      throw error;
    }
    if (c.method === "server") return {status: "unchecked", certain: false};
    var shape = structure(node);
    try {
      if (c.method === "number") {
        if (shape.kind !== "scalar") return verdict(false, "expected a single number");
        var value = evaluate(node, []);
        return verdict((await digest(salt, roundText(value, c.figures))) === c.hash, null, true);
      }
      if (c.method === "points") {
        if (shape.kind !== "scalar") return verdict(false, "expected a single expression");
        return verdict(await matchesAt(salt, [node], c.at, c.entries, orderFor(problem, c)));
      }
      if (c.method === "vector" || c.method === "matrix") {
        var expected = c.shape;
        var got = c.method === "vector" ? (shape.kind === "vector" ? [shape.entries.length] : null) : (shape.kind === "matrix" || shape.kind === "rows" ? shape.shape : null);
        if (!got || got.join("x") !== expected.join("x")) {
          return verdict(false, "expected " + (c.method === "vector" ? "a vector with " + expected[0] + " entries" : "a " + expected.join(" by ") + " matrix"));
        }
        return verdict(await matchesAt(salt, shape.entries, c.at, c.entries, orderFor(problem, c)));
      }
      if (c.method === "direction") {
        if (shape.kind !== "vector" || shape.entries.length !== c.size) return verdict(false, "expected a vector with " + c.size + " entries");
        var values = shape.entries.map(function (e) { return evaluate(e, []); });
        var pivot = values.find(function (v) { return v !== 0; });
        if (pivot === undefined) return verdict(false, "a direction cannot be the zero vector");
        var normal = values.map(function (v) { return roundText(v / pivot, 6); }).join(",");
        return verdict((await digest(salt, normal)) === c.hash);
      }
      if (c.method === "pointset") {
        var points = shape.kind === "set" ? shape.entries : shape.kind === "rows" ? shape.points : shape.kind === "vector" ? [node] : null;
        if (!points) return verdict(false, "expected a set of points such as {(0, 0), (1, -2)}");
        var hashes = [];
        for (var i = 0; i < points.length; i++) {
          var p = points[i];
          var coords = p.t === "vec" ? p.items : [p];
          var key = coords.map(function (e) { return roundText(evaluate(e, []), 6); }).join(",");
          var h = await digest(salt, key);
          if (hashes.indexOf(h) < 0) hashes.push(h);
        }
        hashes.sort();
        var want = (c.hashes || []).slice().sort();
        return verdict(hashes.length === c.count && hashes.join() === want.join());
      }
    } catch (error) {
      if (error instanceof ReadError) return {status: "invalid", certain: false, message: error.message};
      throw error;
    }
    return {status: "unchecked", certain: false};
  }

  function orderFor(problem, c) {
    // The sample points list coordinates in the order of the check's variables.
    var declared = problem.variables || [];
    var order = c.variables || declared;
    return declared.map(function (name) { return order.indexOf(name); });
  }

  async function matchesAt(salt, entries, at, expected, order) {
    for (var e = 0; e < entries.length; e++) {
      for (var p = 0; p < at.length; p++) {
        var point = order.map(function (j) { return j >= 0 ? at[p][j] : NaN; });
        var value = evaluate(entries[e], point);
        if ((await digest(salt, roundText(value, 8))) !== expected[e][p]) return false;
      }
    }
    return true;
  }

  function verdict(ok, why, exact) {
    return {status: ok ? "correct" : "incorrect", certain: !!exact, message: ok ? null : why || null};
  }

  QE.math = {
    roundText: roundText, digest: digest, read: read, evaluate: evaluate, structure: structure,
    check: check, ReadError: ReadError, normalise: normalise,
    // For tests: evaluate text at one point; structured values come back as nested arrays.
    valueOf: function (text, variables, at) {
      var node = read(text, variables);
      var s = structure(node);
      var values = s.entries.map(function (e) {
        return e.t === "vec" ? e.items.map(function (i) { return evaluate(i, at || []); }) : evaluate(e, at || []);
      });
      return {kind: s.kind, shape: s.shape, values: values};
    }
  };
})(typeof self !== "undefined" ? self : this);
