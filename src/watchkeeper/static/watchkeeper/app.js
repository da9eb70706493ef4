// Watchkeeper's own behaviour: keyboard shortcuts, dialogs, live-update announcements and row marking.
// Third-party code (htmx and its SSE extension) comes from npm, never copied here.
(function () {
  "use strict";

  // A refusal (4xx) is an answer to show where it was asked for, not an error to drop: fragments such as
  // the close dialog swap it in beside the control.
  if (window.htmx) {
    window.htmx.config.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "4..", swap: true, error: false },
      { code: "...", swap: false, error: true }
    ];
  }

  function typing(el) {
    return el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable);
  }

  function openModal() {
    return document.querySelector("dialog[open]");
  }

  // A single key acts when focus is not in a field and no dialog is open:
  // N new contact, / find, Q queue; on a log E entry, G grade, A assign, C close.
  // Escape leaves a field (what was typed stays), so the shortcuts work again.
  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || ev.defaultPrevented) return;
    if (ev.key === "Escape" && typing(document.activeElement) && !openModal()) {
      document.activeElement.blur();
      return;
    }
    // "/" still finds a log from a field the page focused for you, as long as nothing is typed in it yet.
    var a = document.activeElement;
    if (ev.key === "/" && a && a.hasAttribute("autofocus") && !a.value && !openModal()) {
      var find = document.querySelector('[data-key="/"]');
      if (find && find !== a) { ev.preventDefault(); find.focus(); return; }
    }
    if (typing(document.activeElement) || openModal()) return;
    var key = ev.key.length === 1 ? ev.key.toLowerCase() : "";
    if (!key) return;
    var target = document.querySelector('[data-key="' + CSS.escape(key) + '"]');
    if (!target) return;
    ev.preventDefault();
    if (target.tagName === "A") { window.location.href = target.href; return; }
    if (target.tagName === "BUTTON") { target.click(); return; }
    if (target.tagName === "SUMMARY") {  // a folded form: open it and go to its first field
      var det = target.parentElement;
      if (det) det.open = true;
      var field = det && det.querySelector("select, textarea, input:not([type=hidden])");
      (field || target).scrollIntoView({ block: "center" });
      (field || target).focus();
      return;
    }
    target.scrollIntoView({ block: "center" });
    target.focus();
  });

  // Dialogs arrive open (so they work without script); upgrade them to modal dialogs that hold focus,
  // close on Escape or Back, and give focus back to the control that opened them.
  var opener = null;
  document.addEventListener("click", function (ev) {
    var b = ev.target.closest && ev.target.closest("[aria-haspopup=dialog]");
    if (b) opener = b;
  });

  function dismiss(dlg) {
    if (dlg.open) dlg.close();
    dlg.remove();
    if (opener && document.body.contains(opener)) opener.focus();
  }

  function upgrade(root) {
    var dlg = root.querySelector ? root.querySelector("dialog[open]:not([data-modal])") : null;
    if (!dlg) return;
    dlg.setAttribute("data-modal", "");
    dlg.close();
    dlg.showModal();
    var first = dlg.querySelector("[autofocus]") || dlg.querySelector("select, textarea, input:not([type=hidden])");
    if (first) first.focus();
    dlg.addEventListener("cancel", function (e) { e.preventDefault(); dismiss(dlg); });
    dlg.querySelectorAll("[data-dismiss]").forEach(function (b) {
      b.addEventListener("click", function () { dismiss(dlg); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    upgrade(document);
    if (!opener) opener = document.querySelector('[data-key="c"]');
  });
  document.addEventListener("htmx:afterSwap", function (ev) { upgrade(ev.detail.target); });

  // Tell screen-reader users when something arrives live.
  function announce(text) {
    var status = document.getElementById("live-status");
    if (!status) return;
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }
  document.addEventListener("htmx:sseMessage", function (ev) {
    var d = ev.detail || {};
    var data = {};
    try { data = JSON.parse(d.data || "{}"); } catch (e) { data = {}; }
    if (d.type === "entry_added" && document.getElementById("narrative")) {
      announce("New entry #" + (data.seq || "") + " on this log from " + (data.author || "someone") + ".");
    } else if (d.type === "log_raised") {
      announce("New log " + (data.reference || "") + " raised.");
    } else if (d.type === "notification") {
      announce("New notification: " + (data.text || ""));
    } else if (d.type === "prompt") {
      announce("New prompt " + (data.safeguard || "") + ": " + (data.text || ""));
    }
  });

  // A live section never changes under someone typing in it: a refresh that arrives while focus is in one
  // of its fields waits until focus leaves the section, then runs (the "deferred" trigger).
  function typingIn(el) {
    var a = document.activeElement;
    return a && el.contains(a) && typing(a);
  }
  document.addEventListener("htmx:beforeRequest", function (ev) {
    var el = ev.detail.elt;
    if (!el || !el.hasAttribute || !el.hasAttribute("data-live-defer")) return;
    if (typingIn(el)) {
      ev.preventDefault();
      el.setAttribute("data-live-pending", "");
    }
  });
  // A refresh that was asked for before the typing began arrives during it: it is not swapped in either.
  document.addEventListener("htmx:beforeSwap", function (ev) {
    var el = ev.detail.elt;
    var cfg = ev.detail.requestConfig;
    if (!el || !el.hasAttribute || !el.hasAttribute("data-live-defer") || !cfg || cfg.verb !== "get") return;
    if (typingIn(el)) {
      ev.detail.shouldSwap = false;
      el.setAttribute("data-live-pending", "");
      return;
    }
    // Nor does a refresh shut a form the user has opened: a <details> with an id stays open across it.
    if (ev.detail.target === el) {
      el.liveOpen = Array.prototype.map.call(el.querySelectorAll("details[id][open]"), function (d) { return d.id; });
    }
  });
  document.addEventListener("htmx:afterSwap", function (ev) {
    var el = ev.detail.target;
    if (!el || !el.liveOpen) return;
    el.liveOpen.forEach(function (id) {
      var d = document.getElementById(id);
      if (d && el.contains(d)) d.open = true;
    });
    el.liveOpen = null;
  });
  document.addEventListener("focusout", function (ev) {
    var part = ev.target.closest && ev.target.closest("[data-live-pending]");
    if (!part || (ev.relatedTarget && part.contains(ev.relatedTarget))) return;
    part.removeAttribute("data-live-pending");
    window.setTimeout(function () { if (window.htmx) window.htmx.trigger(part, "deferred"); }, 0);
  });

  // After a form in a live section is answered, say what happened and put focus back at the section's
  // heading, so keyboard and screen-reader users are not left on a control that no longer exists.
  document.addEventListener("htmx:afterSwap", function (ev) {
    var t = ev.detail.target;
    if (!t || !t.querySelector) return;
    var said = t.querySelector("[data-announce]");
    if (!said || !ev.detail.requestConfig || ev.detail.requestConfig.verb === "get") return;
    announce(said.getAttribute("data-announce"));
    var refusal = t.querySelector(".refusal");
    var heading = said.querySelector("h2[tabindex]");
    if (!refusal && heading) heading.focus();
  });
  document.addEventListener("htmx:afterSwap", function (ev) {
    var t = ev.detail.target;
    var cfg = ev.detail.requestConfig;
    if (!t || !t.querySelector || !ev.detail.xhr || ev.detail.xhr.status < 400 || !cfg || cfg.verb === "get") return;
    var invalid = t.querySelector("[aria-invalid=true]") || t.querySelector(".refusal");
    if (invalid && invalid.focus) {
      if (!invalid.hasAttribute("tabindex") && !typing(invalid)) invalid.setAttribute("tabindex", "-1");
      invalid.focus();
    }
  });

  // A signed-out session answers a live refresh with the sign-in page: go there, never show it in a pane.
  document.addEventListener("htmx:beforeSwap", function (ev) {
    var xhr = ev.detail.xhr;
    if (xhr && xhr.responseURL && xhr.responseURL.indexOf("/login/") !== -1) {
      ev.detail.shouldSwap = false;
      window.location.href = "/login/?next=" + encodeURIComponent(window.location.pathname);
    }
  });

  // Live boards keep the rows in place; rows that are new or changed are marked briefly.
  var before = null;
  document.addEventListener("htmx:beforeSwap", function (ev) {
    var t = ev.detail.target;
    if (!t || !t.querySelectorAll) return;
    before = {};
    t.querySelectorAll("[data-row-key]").forEach(function (r) { before[r.dataset.rowKey] = r.dataset.rowVersion; });
  });
  document.addEventListener("htmx:afterSwap", function (ev) {
    var t = ev.detail.target;
    if (!before || !t || !t.querySelectorAll) return;
    var seen = before;
    before = null;
    if (!Object.keys(seen).length) return;
    t.querySelectorAll("[data-row-key]").forEach(function (r) {
      if (seen[r.dataset.rowKey] !== r.dataset.rowVersion) {
        r.classList.add("changed");
        window.setTimeout(function () { r.classList.remove("changed"); }, 6000);
      }
    });
  });

  // Progress bars carry their width as data (data-percent): the Content-Security-Policy refuses style=""
  // attributes, but a width set from this script is allowed.
  function drawBars(root) {
    if (!root || !root.querySelectorAll) return;
    root.querySelectorAll("[data-percent]").forEach(function (el) {
      var n = parseFloat(el.getAttribute("data-percent"));
      el.style.width = (isFinite(n) ? Math.max(0, Math.min(100, n)) : 0) + "%";
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { drawBars(document); });
  } else {
    drawBars(document);
  }
  document.addEventListener("htmx:load", function (ev) { drawBars(ev.target); });

  // ---------------------------------------------------------------- the call-taking console (one screen)
  // Ctrl+Enter (Cmd+Enter) submits the form it is pressed in (a form marked data-ctrl-enter), from any
  // field, the narrative included. A grade preview still on its way is waited for, so the grade the
  // handler saw proposed is the one submitted.
  var pendingPreview = 0;
  document.addEventListener("htmx:beforeRequest", function (ev) {
    if (ev.detail.elt && ev.detail.elt.hasAttribute && ev.detail.elt.hasAttribute("data-grade-preview")) pendingPreview++;
  });
  document.addEventListener("htmx:afterRequest", function (ev) {
    if (ev.detail.elt && ev.detail.elt.hasAttribute && ev.detail.elt.hasAttribute("data-grade-preview")) {
      pendingPreview = Math.max(0, pendingPreview - 1);
    }
  });
  function submitWhenSettled(form, button, tries) {
    if (pendingPreview > 0 && tries < 40) {
      window.setTimeout(function () { submitWhenSettled(form, button, tries + 1); }, 50);
      return;
    }
    if (form.requestSubmit) form.requestSubmit(button || undefined); else form.submit();
  }
  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "Enter" || !(ev.ctrlKey || ev.metaKey) || ev.altKey || ev.shiftKey) return;
    var a = document.activeElement;
    var form = (a && a.closest && a.closest("form[data-ctrl-enter]")) ||
      (openModal() ? null : document.querySelector('form[data-ctrl-enter="page"]'));
    if (!form) return;
    ev.preventDefault();
    submitWhenSettled(form, form.querySelector("[data-ctrl-enter-submit]"), 0);
  });

  // THRIVE: "every level" sets threat, harm, risk and vulnerability at once (each can then be changed).
  // Runs in the capture phase, before the grade preview reads the levels.
  document.addEventListener("change", function (ev) {
    var all = ev.target;
    if (!all || all.id !== "thrive-all" || !all.value) return;
    var form = all.form || document;
    form.querySelectorAll("select.thrive-level").forEach(function (s) { s.value = all.value; });
  }, true);

  // The grade follows the policy grade once THRIVE is set, until the handler chooses a grade themselves.
  document.addEventListener("change", function (ev) {
    if (ev.target && ev.target.id === "nc-grade" && ev.isTrusted) ev.target.setAttribute("data-chosen", "");
  });
  function followProposal() {
    var grade = document.getElementById("nc-grade");
    var proposed = document.querySelector("#grade-preview [data-proposed]");
    if (!grade || !proposed || grade.hasAttribute("data-chosen")) return;
    var levels = Array.prototype.some.call(document.querySelectorAll("#contact-form select.thrive-level"),
      function (s) { return !!s.value; });
    var code = proposed.getAttribute("data-proposed");
    if (levels && code && grade.value !== code) {
      grade.value = code;
      grade.classList.add("proposed");
      announce("Grade set to the policy grade: " + grade.options[grade.selectedIndex].text + ".");
    }
  }
  document.addEventListener("htmx:afterSwap", function (ev) {
    if (ev.detail.target && ev.detail.target.id === "grade-preview") followProposal();
  });

  // After a call is raised, focus lands where the next keystroke belongs: a form marked
  // data-focus-next="<id>" names the field of the page it leads to (the new log's entry box). Kept for
  // that one next page only (a refusal shows the form again instead, and the note is dropped there).
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!form || !form.getAttribute || !form.getAttribute("data-focus-next")) return;
    try { window.sessionStorage.setItem("wk-focus-next", form.getAttribute("data-focus-next")); } catch (e) { /* private mode */ }
  });
  function focusNext() {
    var id = null;
    try {
      id = window.sessionStorage.getItem("wk-focus-next");
      window.sessionStorage.removeItem("wk-focus-next");
    } catch (e) { id = null; }
    var el = id && document.getElementById(id);
    if (el && !openModal()) { el.focus(); return el; }
    return null;
  }
  var focused = null;
  // The browser's own focus handling at load must not take focus back: set again once loaded.
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { focused = focusNext(); });
  else focused = focusNext();
  window.addEventListener("load", function () {
    window.setTimeout(function () { if (focused && document.activeElement !== focused) focused.focus(); }, 0);
  });

  // ---------------------------------------------------------------- the log page: actions answered in place
  // The log's own forms (/logs/<ref>/do/<what>/) post with htmx; the page the action answers with (the log
  // again, or the log with the refusal beside its control) gives #log-work and #log-side, swapped in place:
  // no reload, the event stream and the reader's place kept. Merging goes to another log: a real navigation.
  // Without this script every form still posts and the page comes back whole.
  function inPlace(root) {
    var work = document.getElementById("log-work");
    if (!work || !window.htmx || !root || !root.querySelectorAll) return;
    var forms = root.matches && root.matches("form") ? [root] : root.querySelectorAll("form[method=post]");
    Array.prototype.forEach.call(forms, function (f) {
      var action = f.getAttribute("action") || "";
      if (f.hasAttribute("hx-post") || !/\/logs\/[^/]+\/do\/[a-z_]+\/$/.test(action) || /\/do\/merge\/$/.test(action)) return;
      f.setAttribute("hx-post", action);
      f.setAttribute("hx-target", "#log-work");
      f.setAttribute("hx-select", "#log-work");
      f.setAttribute("hx-select-oob", "#log-side");
      f.setAttribute("hx-swap", "outerHTML show:none");
      f.setAttribute("data-in-place-form", "");
      // Ctrl+Enter submits it from any of its fields (not a form whose buttons say different things).
      if (f.querySelectorAll("button[type=submit], button:not([type])").length <= 1) f.setAttribute("data-ctrl-enter", "");
      window.htmx.process(f);
    });
  }
  function inPlaceAll() { inPlace(document.getElementById("log-work")); inPlace(document.getElementById("log-side")); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", inPlaceAll); else inPlaceAll();
  document.addEventListener("htmx:load", function (ev) { if (ev.target && ev.target.closest && ev.target.closest("#log-work, #log-side")) inPlace(ev.target); });

  // The reader's place: where the window and the narrative were scrolled stays where it was.
  var kept = null;
  document.addEventListener("htmx:beforeSwap", function (ev) {
    var narr = document.querySelector("#log-work .narrative-block");
    if (!narr || !ev.detail.target || !ev.detail.target.contains || !ev.detail.target.contains(narr)) return;
    kept = { top: narr.scrollTop, bottom: narr.scrollHeight - narr.scrollTop - narr.clientHeight < 8, y: window.scrollY };
    // Parts of the page that load after the swap (the people panels) must not shorten it meanwhile, or the
    // browser would pull the window up: the page keeps its height until they are back.
    var main = document.getElementById("main");
    if (main) {
      main.style.minHeight = main.offsetHeight + "px";
      window.clearTimeout(main._wkRelease);
      main._wkRelease = window.setTimeout(function () { main.style.minHeight = ""; }, 3000);
    }
  });
  // Parts that load after the answer (the people panels) may move the page again: for a moment after an
  // answer the window is put back where the reader had it, until they scroll or press a key themselves.
  var holdY = null;
  function releaseHold() { holdY = null; }
  ["wheel", "touchmove", "keydown", "mousedown"].forEach(function (t) {
    window.addEventListener(t, releaseHold, { passive: true, capture: true });
  });
  function putBack() {
    if (holdY && Date.now() < holdY.until && Math.abs(window.scrollY - holdY.y) > 2) window.scrollTo(0, holdY.y);
  }
  document.addEventListener("htmx:afterSettle", function () {
    putBack();
    if (!kept) return;
    var k = kept;
    kept = null;
    var narr = document.querySelector("#log-work .narrative-block");
    if (narr) narr.scrollTop = k.bottom ? narr.scrollHeight : k.top;
    holdY = { y: k.y, until: Date.now() + 2500 };
    putBack();
  });
  window.addEventListener("scroll", function () { if (holdY) window.requestAnimationFrame(putBack); }, { passive: true });

  // After an action: a refusal takes focus beside its control; otherwise focus lands in the entry box
  // (the next thing said), without moving the page.
  // (The form that asked is gone once its answer is swapped in, so what it asked is noted before the swap.)
  var answered = null;
  document.addEventListener("htmx:beforeSwap", function (ev) {
    var elt = ev.detail.requestConfig && ev.detail.requestConfig.elt;
    if (elt && elt.hasAttribute && elt.hasAttribute("data-in-place-form")) {
      answered = { status: ev.detail.xhr ? ev.detail.xhr.status : 200 };
    }
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!answered) return;
    var status = answered.status;
    answered = null;
    var work = document.getElementById("log-work");
    if (!work) return;
    upgrade(work);
    inPlaceAll();
    if (openModal()) return;
    var wrong = status >= 400 && (document.querySelector("#log-work [aria-invalid=true], #log-side [aria-invalid=true]") ||
      document.querySelector("#log-work .refusal, #log-side .refusal"));
    if (wrong) {
      if (!wrong.hasAttribute("tabindex") && !typing(wrong)) wrong.setAttribute("tabindex", "-1");
      wrong.focus({ preventScroll: false });
      return;
    }
    var box = document.getElementById("entry-text");
    if (box) box.focus({ preventScroll: true });
    drawClocks();
    sizeHead();
  });

  // The sticky header's height, for the narrative column beneath it.
  function sizeHead() {
    var head = document.getElementById("log-head");
    if (head) document.documentElement.style.setProperty("--log-head-h", head.offsetHeight + "px");
  }
  window.addEventListener("resize", sizeHead);
  document.addEventListener("htmx:afterSettle", sizeHead);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", sizeHead); else sizeHead();

  // D1: the response clock in the log's header, drawn every second from its times (nothing is pushed per
  // second), its state changing at the policy's alert fractions in colour AND words and shapes.
  function clockText(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return h ? h + ":" + pad(m) + ":" + pad(sec) : m + ":" + pad(sec);
  }
  function drawClock(el, at) {
    var d = el.dataset;
    var cls, text;
    if (d.attended) { cls = "cd-done"; text = "✔ Attended"; }
    else if (!d.target) { cls = "cd-none"; text = "No target"; }
    else {
      var target = Date.parse(d.target), started = Date.parse(d.started);
      var what = d.clockKind === "grading" ? "to grade" : "to target";
      if (d.breached || at >= target) {
        var gone = Math.floor((at - Date.parse(d.breached || d.target)) / 60000);
        cls = "cd-breach"; text = "✖ BREACHED " + (gone < 1 ? "just now" : gone + " min ago");
      } else {
        var fraction = (at - started) / Math.max(1, target - started);
        var steps = (d.fractions || "").split(",").map(Number).filter(function (f) { return f > 0 && f < 1; });
        var passed = steps.filter(function (f) { return fraction >= f; });
        var left = clockText(target - at) + " " + what;
        if (!passed.length) { cls = "cd-ok"; text = "○ " + left; }
        else {
          var last = passed.length === steps.length;
          cls = last ? "cd-danger" : "cd-warn";
          text = (last ? "▲ " : "◐ ") + Math.round(passed[passed.length - 1] * 100) + "% gone · " + left;
        }
      }
    }
    var c = "countdown log-clock " + cls;
    if (el.className !== c) el.className = c;
    if (el.textContent !== text) el.textContent = text;
  }
  function drawClocks() {
    var at = Date.now();
    document.querySelectorAll(".log-clock").forEach(function (el) { drawClock(el, at); });
  }
  if (document.querySelector(".log-clock") || document.getElementById("log-work")) {
    drawClocks();
    window.setInterval(drawClocks, 1000);
  }
  document.addEventListener("htmx:afterSettle", drawClocks);

  // The low-light theme (night shifts): switched in place, kept for the person on this browser by the
  // server (a cookie read when any page is drawn, so pages arrive in the chosen theme).
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!form || form.id !== "theme-form") return;
    ev.preventDefault();
    var button = form.querySelector("#theme-toggle");
    window.fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" } })
      .then(function (res) { return res.ok ? res.json() : null; })
      .then(function (answer) {
        if (!answer) { form.submit(); return; }
        var low = answer.theme === "low-light";
        document.documentElement.setAttribute("data-theme", low ? "low-light" : "day");
        if (button) {
          button.setAttribute("aria-pressed", low ? "true" : "false");
          button.textContent = "Low light: " + (low ? "on" : "off");
        }
        announce("Theme: " + answer.label + ".");
      })
      .catch(function () { form.submit(); });
  });

  // A printable page's button (no inline script: the Content-Security-Policy allows none).
  document.addEventListener("click", function (ev) {
    var b = ev.target && ev.target.closest ? ev.target.closest("[data-print]") : null;
    if (b) window.print();
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "p" && !ev.ctrlKey && !ev.metaKey && !ev.altKey && !typing(ev.target) &&
        document.querySelector("[data-print]")) window.print();
  });
})();
