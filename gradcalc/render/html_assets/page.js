// gradcalc's page: steps through the forward pass node by node and the backward pass edge by edge.
// Every number comes formatted from gradcalc (the JSON in #gc-data); this script only chooses which
// to show. No request leaves the page, and no data is ever written as HTML (textContent only).
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("gc-data").textContent);
  var nodes = data.nodes, steps = data.steps, of = data.of;
  var nForward = nodes.length, seedFrame = nForward, total = nForward + 1 + steps.length;
  var byId = {}, order = {};
  nodes.forEach(function (n, i) { byId[n.id] = n; order[n.id] = i; });
  var frame = 0, timer = null, quiz = false, known = {}, askable = {}, chosen = null;

  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  function label(id) { return byId[id] ? byId[id].label : String(id); }
  // A gradient is hidden in quiz mode until the learner has given it (the output's is the start).
  // Only the gradients the quiz asks for are hidden: too large an array to type is shown.
  function hidden(id) { return quiz && askable[id] === true && !known[id]; }

  // The picture's parts: each box's text lines (title, value, gradient) and each arrow's label.
  var boxes = {}, arrows = {};
  nodes.forEach(function (n) {
    var g = $("gc_n" + n.id);
    if (!g) return;
    var texts = g.getElementsByTagName("text");
    boxes[n.id] = {g: g, value: texts[1], grad: texts[2], shown: {}};
    g.setAttribute("tabindex", "0");
    g.setAttribute("role", "button");
    g.setAttribute("aria-label", "node " + n.label + ": " + n.computes +
                   "; show its gradient as a sum over its users");
    g.addEventListener("click", function () { choose(n.id); });
    g.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); event.stopPropagation(); choose(n.id); }
    });
  });
  steps.forEach(function (s, j) {
    var g = $("gc_e" + s.node + "_" + s.k);
    if (g) arrows[j] = {g: g, text: g.getElementsByTagName("text")[0]};
  });
  function setText(node, text) { if (node && node.textContent !== text) node.textContent = text; }

  // The trace tables: the cells holding gradients, and whose gradient each is.
  var rows = [], gradCells = [];
  for (var f = 0; f < total; f++) rows.push($("gc-r" + f));
  steps.forEach(function (s, j) {
    var cells = rows[seedFrame + 1 + j].cells;
    gradCells.push([cells[3], s.node, cells[3].textContent], [cells[4], s.input, cells[4].textContent],
                   [cells[5], s.input, cells[5].textContent]);
  });

  // The gradient of every node once the first `frame` frames have been shown.
  function gradsAt(f) {
    var grads = {};
    if (f >= seedFrame) grads[data.output] = {short: data.seedShort, full: data.seed};
    for (var j = 0; j < steps.length && seedFrame + 1 + j <= f; j++)
      grads[steps[j].input] = {short: steps[j].afterShort, full: steps[j].after};
    return grads;
  }

  function show(f) {
    frame = Math.max(0, Math.min(total - 1, f));
    var grads = gradsAt(frame), step = frame > seedFrame ? steps[frame - seedFrame - 1] : null;
    nodes.forEach(function (n, i) {
      var box = boxes[n.id];
      if (!box) return;
      var done = i <= frame, grad = grads[n.id];
      setText(box.value, done ? n.valueShort : "");
      setText(box.grad, grad ? (hidden(n.id) ? "grad ?" : "grad " + grad.short) : "");
      box.g.classList.toggle("done", done);
      box.g.classList.toggle("current", frame < nForward ? i === frame :
                             frame === seedFrame ? n.id === data.output : n.id === step.node);
      box.g.classList.toggle("target", !!step && n.id === step.input);
      box.g.classList.toggle("hasgrad", !!grad);
    });
    steps.forEach(function (s, j) {
      var arrow = arrows[j];
      if (!arrow) return;
      var at = seedFrame + 1 + j;
      arrow.g.classList.toggle("back", at <= frame);
      arrow.g.classList.toggle("current", at === frame);
      setText(arrow.text, at <= frame ? (hidden(s.input) ? "← ?" : "← " + s.flowingShort) : "");
    });
    rows.forEach(function (row, i) {
      if (!row) return;
      row.className = (i < nForward ? "fwd " : "bwd ") + (i < frame ? "past" : i === frame ? "current" : "future");
      if (i === frame) row.setAttribute("aria-current", "step"); else row.removeAttribute("aria-current");
    });
    gradCells.forEach(function (c) { setText(c[0], hidden(c[1]) ? "?" : c[2]); });
    scrollRow(rows[frame]);
    var lit = frame < nForward ? boxes[nodes[frame].id] : frame === seedFrame ? boxes[data.output] :
              boxes[step.node];
    if (lit) scrollBox(lit.g);
    setText($("gc-counter"), "step " + (frame + 1) + " of " + total);
    describe(step);
    if (chosen !== null) choose(chosen);
  }

  function scrollRow(row) {
    var box = $("gc-trace");
    if (!row || box.scrollHeight <= box.clientHeight) return;
    var top = row.getBoundingClientRect().top - box.getBoundingClientRect().top + box.scrollTop;
    if (top < box.scrollTop || top + row.offsetHeight > box.scrollTop + box.clientHeight)
      box.scrollTop = Math.max(0, top - box.clientHeight / 3);
  }

  // A picture shown at its own size scrolls inside its frame: keep the current box in view there.
  function scrollBox(g) {
    var figure = $("gc-picture");
    if ($("gc-graph").classList.contains("fit")) return;
    var box = g.getBoundingClientRect(), frameBox = figure.getBoundingClientRect();
    if (box.left < frameBox.left || box.right > frameBox.right)
      figure.scrollLeft += box.left - frameBox.left - (frameBox.width - box.width) / 2;
    if (box.top < frameBox.top || box.bottom > frameBox.bottom)
      figure.scrollTop += box.top - frameBox.top - (frameBox.height - box.height) / 2;
  }

  function line(parent, name, value, cls) {
    var p = el("p", "line " + (cls || ""));
    p.appendChild(el("span", "what", name));
    var v = el(value.indexOf("\n") >= 0 ? "pre" : "span", "num", value);
    p.appendChild(v);
    parent.appendChild(p);
    return p;
  }

  // The card above the picture: what this step computes, every number in it.
  function describe(step) {
    var card = $("gc-step");
    card.textContent = "";
    if (frame < nForward) {
      var n = nodes[frame];
      card.appendChild(el("h2", null, "Forward, " + (n.input ? "input " : "node ") + n.label));
      if (!n.input) line(card, n.label + " = ", n.computes);
      line(card, "value ", n.value, "v");
      if (n.shape) line(card, "shape ", n.shape);
      return;
    }
    if (!step) {
      card.appendChild(el("h2", null, "Backward pass starts at " + data.outputLabel));
      line(card, "∂" + of + "/∂" + data.outputLabel + (data.seeded ? " (given) = " : " = "), data.seed, "g");
      return;
    }
    var j = frame - seedFrame - 1, before = null;
    for (var i = j - 1; i >= 0; i--) if (steps[i].input === step.input) { before = steps[i]; break; }
    card.appendChild(el("h2", null, "Backward, " + step.edge.replace("\n", " ")));
    line(card, step.rule ? "rule " : "local ∂" + label(step.node) + "/∂" + label(step.input) + " = ", step.formula);
    line(card, "local = ", step.local);
    line(card, "upstream ∂" + of + "/∂" + label(step.node) + " = ", hidden(step.node) ? "?" : step.upstream, "g");
    line(card, step.rule ? "flows back = " : "upstream × local = ", hidden(step.input) ? "?" : step.flowing, "g");
    var grad = "∂" + of + "/∂" + label(step.input) + " = ";
    if (hidden(step.input)) line(card, grad, "?", "g");
    else if (before && step.after.charAt(0) !== "[") line(card, grad, before.after + " + " + step.flowing + " → " + step.after, "g sum");
    else if (before) { line(card, "before: " + grad, before.after, "g"); line(card, "plus this contribution: " + grad, step.after, "g sum"); }
    else line(card, grad, step.after + "  (its first contribution)", "g");
  }

  // A node's gradient written out as the chain rule: the sum over the nodes that use it.
  function choose(id) {
    chosen = id;
    var n = byId[id], box = $("gc-details");
    box.textContent = "";
    box.appendChild(el("h2", null, "Node " + n.label + (n.input ? " (input)" : " = " + n.computes)));
    line(box, "value = ", n.value);
    var d = "∂" + of + "/∂" + n.label + " = ";
    if (id === data.output) {
      line(box, d, data.seed + (data.seeded ? "  (given)" : "  (where the backward pass starts)"), "g");
      return;
    }
    var users = [];
    steps.forEach(function (s) { if (s.input === id) users.push(s); });
    if (!users.length) { box.appendChild(el("p", null, of + " does not depend on " + n.label + ".")); return; }
    box.appendChild(el("p", null, "the sum over the " + (users.length === 1 ? "node that uses " : users.length + " uses of ") +
                       n.label + ", upstream × local for each:"));
    var list = el("ol", "chain");
    users.forEach(function (s) {
      var item = el("li");
      var what = s.rule ? s.formula : "∂" + of + "/∂" + label(s.node) + " × ∂" + label(s.node) + "/∂" + n.label +
                 " = " + (hidden(s.node) ? "?" : s.upstream) + " × " + s.local;
      item.appendChild(el(what.indexOf("\n") >= 0 ? "pre" : "span", null, "from " + label(s.node) + ": " + what));
      item.appendChild(el(s.flowing.indexOf("\n") >= 0 ? "pre" : "span", "num g", " = " + (hidden(id) ? "?" : s.flowing)));
      list.appendChild(item);
    });
    box.appendChild(list);
    var last = users[users.length - 1];
    var reached = frame >= seedFrame + 1 + steps.indexOf(last);
    line(box, d, hidden(id) ? "?" : n.grad + (reached ? "" : "  (at the end of the pass)"), "g total");
  }

  // Quiz: each ∂output/∂node in the order the backward pass completes them.
  var questions = [];
  nodes.forEach(function (n) {
    if (n.id === data.output || n.answer === null || n.grad === null) return;
    var last = -1;
    steps.forEach(function (s, j) { if (s.input === n.id) last = j; });
    if (last >= 0) { questions.push({id: n.id, frame: seedFrame + 1 + last, tries: 0}); askable[n.id] = true; }
  });
  questions.sort(function (a, b) { return a.frame - b.frame; });
  var asked = 0, firstTry = 0;

  // A typed answer: its value, and for a single number its text (whose figures the rule may count).
  function parseAnswer(text) {
    text = text.trim().replace(/−/g, "-");
    if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return {value: Number(text), text: text};
    if (/^[\[\]\d\s.,eE+-]+$/.test(text)) {
      try { return {value: JSON.parse(text.replace(/(^|[\[,\s])\.(\d)/g, "$10.$2"))}; } catch (e) { return null; }
    }
    var fraction = /^([+-]?\d+)\s*\/\s*(\d+)$/.exec(text);
    if (fraction && Number(fraction[2]) !== 0) return {value: Number(fraction[1]) / Number(fraction[2])};
    return null;
  }
  function flat(value, out) {
    if (Array.isArray(value)) { value.forEach(function (v) { flat(v, out); }); return out; }
    out.push(value);
    return out;
  }
  function shapeOf(value) {
    var shape = [];
    while (Array.isArray(value)) { shape.push(value.length); value = value[0]; }
    return shape.join(",");
  }
  function count(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }

  // Judging as gradcalc does (tolerance.judge_number, from the numbers tolerance.page_terms gives):
  // a number by its text, exactly, where the rule counts figures or decimals; an array or a fraction
  // by rtol/atol. A number as written (tolerance.written): exact value c·10^e, its fewest and most
  // significant figures (100: 1 to 3) and its decimal places.
  function written(text) {
    var m = /^([+-]?)(\d*)(\.?)(\d*)(?:[eE]([+-]?\d+))?$/.exec(text);
    var shift = m[5] ? Number(m[5]) : 0, fraction = m[4], all = m[2] + fraction;
    var digits = all.replace(/^0+/, ""), most = digits.length;
    var form = {c: BigInt(all || "0") * (m[1] === "-" ? -1n : 1n), e: shift - fraction.length,
                decimals: fraction.length - shift, zero: !digits};
    if (!digits) { form.fewest = 1; form.most = m[3] ? Math.max(1, fraction.length + 1) : 1; return form; }
    form.most = most;
    form.fewest = Math.max(m[3] ? most : most - (most - digits.replace(/0+$/, "").length), 1);
    return form;
  }
  // |given − correct|·2 ≤ 10^place: `given` is a correct rounding at that place (tolerance._within).
  function within(given, correct, place) {
    var low = Math.min(given.e, correct.e, place);
    var diff = given.c * 10n ** BigInt(given.e - low) - correct.c * 10n ** BigInt(correct.e - low);
    return (diff < 0n ? -diff : diff) * 2n <= 10n ** BigInt(place - low);
  }
  function placeOf(terms, figures) {   // tolerance._place from the right value's leading figure
    return terms.adjusted - figures + 1 + (figures <= terms.carries ? 1 : 0);
  }
  function near(a, e, terms) { return Math.abs(a - e) <= terms.atol + terms.rtol * Math.abs(e); }
  // [right, why]: why is said when the number is right but for how it was rounded (tolerance._rounded).
  function judge(typed, expected, terms) {
    if (typeof typed.value === "number" && Array.isArray(expected)) {   // one number for every element (check.fits)
      return [isFinite(typed.value) && flat(expected, []).every(function (e) { return near(typed.value, e, terms); }), null];
    }
    // A number written with an exponent beyond any float's (1e99999) is judged by its value alone.
    var plain = typed.text !== undefined && terms.exact !== undefined && !/[eE][+-]?\d{5}/.test(typed.text);
    if (!plain) {
      if (shapeOf(typed.value) !== shapeOf(expected)) return [false, null];
      var a = flat(typed.value, []), e = flat(expected, []);
      if (a.length !== e.length) return [false, null];
      for (var i = 0; i < a.length; i++) {
        if (typeof a[i] !== "number" || !isFinite(a[i]) || !near(a[i], e[i], terms)) return [false, null];
      }
      return [true, null];
    }
    if (Array.isArray(expected) || !isFinite(typed.value)) return [false, null];
    var form = written(typed.text), correct = written(terms.exact);
    if (terms.sigfigs === null && terms.decimals === null) {
      if (near(typed.value, expected, terms)) return [true, null];
      if (terms.hand && form.most >= terms.handFigures &&
          within(form, correct, placeOf(terms, Math.min(form.most, 17)))) return [true, null];   // every figure written
    } else if (terms.decimals !== null) {
      if (form.decimals === terms.decimals && within(form, correct, -terms.decimals)) return [true, null];
    } else if (form.zero) {
      return [correct.zero || Math.abs(expected) <= terms.atol, null];
    } else {
      var n = terms.sigfigs;
      var counted = terms.accurate === -1 ? form.most >= n : form.fewest <= n && n <= form.most;
      if (counted && within(form, correct, terms.place)) return [true, null];
    }
    return [false, rounded(form, correct, terms)];
  }
  function same(a, b) {   // two numbers as written (written()) of the same exact value
    var low = Math.min(a.e, b.e);
    return a.c * 10n ** BigInt(a.e - low) === b.c * 10n ** BigInt(b.e - low);
  }
  function rounded(form, correct, terms) {
    if (terms.written !== null && terms.shortest !== null &&
        same(form, written(terms.shortest))) {   // the value itself, written otherwise than asked
      return "the value is right, but " + data.asker + " asks for " + terms.asks + ": write " + terms.written;
    }
    if (form.zero || correct.zero) return null;
    var asks = "; " + data.asker + " asks for ";
    if (terms.decimals !== null) {
      var shown = form.decimals;
      if (!within(form, correct, -shown)) return null;
      return (shown < terms.decimals ? "right to " : "right, but written with ") +
             count(shown, "decimal place") + asks + terms.decimals;
    }
    var figures = form.most;
    if (!within(form, correct, placeOf(terms, figures))) return null;
    if (terms.sigfigs !== null) {
      var n = terms.sigfigs;
      if (figures < n) return "right to " + count(figures, "significant figure") + asks + n;
      if (terms.accurate !== -1 && form.fewest > n) {
        return "right, but written with " + count(form.fewest, "significant figure") + asks + n;
      }
      return null;
    }
    var needed = terms.needed;
    if (needed === null || figures >= needed) return null;
    return "right to " + count(figures, "significant figure") + asks +
           (terms.hand && needed > terms.handFigures ? terms.handFigures : needed) +
           (terms.hand ? "" : " (its tolerance is " + terms.tolerance + ")");
  }

  function ask() {
    var box = $("gc-quizbox");
    box.hidden = !quiz;
    var done = asked >= questions.length;
    $("gc-quizform").hidden = done;
    if (done) {
      setText($("gc-score"), questions.length ? "Score: " + firstTry + " of " + questions.length +
              " right at the first try." : "Nothing to fill in: no gradient here is small enough to type.");
      return;
    }
    var q = questions[asked];
    setText($("gc-rule"), "Right answers: " + byId[q.id].ruleWords + ".");
    setText($("gc-prompt"), "∂" + of + "/∂" + label(q.id) + " =" + (byId[q.id].shape ? " (shape " + byId[q.id].shape + ", as nested lists)" : ""));
    setText($("gc-score"), "Question " + (asked + 1) + " of " + questions.length + "; " + firstTry + " right at the first try so far.");
  }

  function check(event) {
    event.preventDefault();
    var q = questions[asked];
    if (!q) return;
    var input = $("gc-answer"), feedback = $("gc-feedback"), typed = parseAnswer(input.value);
    if (!typed) {
      feedback.className = "wrong";
      setText(feedback, "✗ Not a number: write it as 2.5, -1e-3 or 1/4" + (byId[q.id].shape ? ", an array as [[1, 2], [3, 4]]." : "."));
      input.setAttribute("aria-invalid", "true");
      return;
    }
    q.tries += 1;
    var n = byId[q.id], verdict = judge(typed, n.answer, n.judge);
    if (verdict[0]) {
      if (q.tries === 1) firstTry += 1;
      known[q.id] = true;
      feedback.className = "right";
      setText(feedback, "✓ Right: ∂" + of + "/∂" + label(q.id) + " = " + byId[q.id].grad + ".");
      input.removeAttribute("aria-invalid");
      input.value = "";
      asked += 1;
      show(q.frame);
      ask();
    } else {
      feedback.className = "wrong";
      input.setAttribute("aria-invalid", "true");
      if (verdict[1]) {   // the right value, rounded otherwise than the rule asks
        setText(feedback, "✗ " + verdict[1].charAt(0).toUpperCase() + verdict[1].slice(1) + ".");
        input.focus();
        return;
      }
      // The catalogue's slips at this step (gradcalc.diagnose): the number may say which was made.
      var slip = n.mistakes.filter(function (m) { return judge(typed, m[0], m[2])[0]; })[0];
      setText(feedback, "✗ Not ∂" + of + "/∂" + label(q.id) + ". " + (slip ? slip[1] + ". " : "") + hint(q));
    }
    input.focus();
  }

  // First the chain rule in symbols; from the second wrong try, with the numbers of the users' gradients.
  function hint(q) {
    var users = steps.filter(function (s) { return s.input === q.id; });
    var parts = users.map(function (s) {
      if (s.rule) return s.formula.split("   ")[0];
      var text = "∂" + of + "/∂" + label(s.node) + " × (" + s.formula + ")";
      if (q.tries > 1) text += " = " + (hidden(s.node) ? "?" : s.upstream) + " × " + s.local;
      return text;
    });
    return "Hint: it is the sum over the " + users.length + " use" + (users.length > 1 ? "s" : "") +
           " of " + label(q.id) + ": " + parts.join("  +  ") + ".";
  }

  function setQuiz(on) {
    quiz = on;
    document.body.classList.toggle("quiz", on);
    $("gc-quiz").checked = on;
    show(frame);
    ask();
  }

  function play() {
    if (timer) { clearInterval(timer); timer = null; }
    else {
      if (frame >= total - 1) show(0);
      timer = setInterval(function () {
        if (frame >= total - 1) { play(); return; }
        show(frame + 1);
      }, 800);
    }
    var button = $("gc-play");
    button.setAttribute("aria-pressed", timer ? "true" : "false");
    button.textContent = timer ? "Pause" : "Play";
  }

  $("gc-first").addEventListener("click", function () { show(0); });
  $("gc-prev").addEventListener("click", function () { show(frame - 1); });
  $("gc-next").addEventListener("click", function () { show(frame + 1); });
  $("gc-last").addEventListener("click", function () { show(total - 1); });
  $("gc-play").addEventListener("click", play);
  $("gc-quiz").addEventListener("change", function (e) { setQuiz(e.target.checked); });
  $("gc-contrast").addEventListener("change", function (e) { document.body.classList.toggle("contrast", e.target.checked); });
  $("gc-fit").addEventListener("change", function (e) { $("gc-graph").classList.toggle("fit", e.target.checked); show(frame); });
  $("gc-quizform").addEventListener("submit", check);
  $("gc-hint").addEventListener("click", function () {
    var q = questions[asked];
    if (q) { $("gc-feedback").className = ""; setText($("gc-feedback"), hint(q)); }
  });
  Array.prototype.forEach.call(document.querySelectorAll("#gc-forward tbody tr"), function (row, i) {
    row.cells[0].setAttribute("tabindex", "0");
    row.cells[0].setAttribute("role", "button");
    row.cells[0].setAttribute("aria-label", "node " + nodes[i].label + ": show its gradient as a sum over its users");
    row.cells[0].addEventListener("click", function () { choose(nodes[i].id); });
    row.cells[0].addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); event.stopPropagation(); choose(nodes[i].id); }
    });
  });
  document.addEventListener("keydown", function (event) {
    var target = event.target, tag = target.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || event.altKey || event.ctrlKey || event.metaKey) return;
    var keys = {ArrowRight: 1, ArrowLeft: -1};
    if (event.key in keys) show(frame + keys[event.key]);
    else if (event.key === "Home") show(0);
    else if (event.key === "End") show(total - 1);
    else if (event.key === " " && tag !== "BUTTON") play();
    else return;
    event.preventDefault();
  });
  // Printed, the page shows the end of the pass: every value and gradient (the quiz's stay hidden).
  var shownBeforePrint = null;
  window.addEventListener("beforeprint", function () { shownBeforePrint = frame; show(total - 1); });
  window.addEventListener("afterprint", function () { if (shownBeforePrint !== null) show(shownBeforePrint); });
  // Fitted into a frame less than half its own width, a picture's text would be too small to read:
  // it is shown at its own size instead, scrolling inside its frame (the Fit box fits it again).
  var svg = document.querySelector("#gc-graph svg");
  if (svg && svg.width.baseVal.value > 1.8 * $("gc-picture").clientWidth) {
    $("gc-fit").checked = false;
    $("gc-graph").classList.remove("fit");
  }
  setQuiz(document.body.classList.contains("quiz"));
})();
