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
    if (typing(document.activeElement) || openModal()) return;
    var key = ev.key.length === 1 ? ev.key.toLowerCase() : "";
    if (!key) return;
    var target = document.querySelector('[data-key="' + CSS.escape(key) + '"]');
    if (!target) return;
    ev.preventDefault();
    if (target.tagName === "A") { window.location.href = target.href; return; }
    if (target.tagName === "BUTTON") { target.click(); return; }
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
})();
