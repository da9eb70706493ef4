// Watchkeeper's live dispatch boards (dispatcher and command) and the unit view.
//
// The server draws every row, on the page and live: a board page follows
// /events/stream?topics=dispatch&view=dispatch.<page> from the sequence number its rows are current to, and
// each "row" event brings the row as the page's own template renders it for this person (dispatch/live.py),
// the table body that holds it here (none: it leaves the page) and what to announce when it arrives. This
// script only swaps rows in, where their data-sort puts them, so a board that has applied the events equals
// a fresh load. What runs every second or on a key stays here: clocks drawn from their deadlines (nothing is
// pushed per second), their state changing at the policy's alert fractions in colour AND words and shapes;
// focus (a row someone is working in never moves or changes under them: it is redrawn in place, or once they
// leave it); keys; announcements; the empty-table line; unit choosers brought up to date from the page's list.
// Forms post to the dispatch views; a refusal comes back as a fragment and is shown beside its control.
(function () {
  "use strict";

  var TYPING = { INPUT: 1, TEXTAREA: 1, SELECT: 1 };

  function typing(el) {
    return !!el && (TYPING[el.tagName] === 1 || el.isContentEditable);
  }

  function esc(value) {
    return String(value === null || value === undefined ? "" : value)
      .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#x27;");
  }

  function announce(text) {
    var status = document.getElementById("live-status");
    if (!status) return;
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  // ------------------------------------------------------------------------------------ forms
  // Every dispatch form works without this script (the page comes back with the refusal beside the
  // control); with it, the answer arrives in place and the live stream redraws what changed.
  var follow = {};  // rows the person just acted on: their next redraw may move them, focus following

  function messageSlot(form) {
    var id = form.getAttribute("data-msg");
    return id ? document.getElementById(id) : null;
  }

  function rowKeyOf(el) {
    var tr = el.closest ? el.closest("tr.wk-row") : null;
    return tr ? tr.getAttribute("data-table") + "|" + tr.getAttribute("data-key") : "";
  }

  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!form.classList || !form.classList.contains("wk-act") || !window.fetch) return;
    ev.preventDefault();
    var body;
    try { body = new FormData(form, ev.submitter || undefined); } catch (e) {
      body = new FormData(form);
      if (ev.submitter && ev.submitter.name) body.append(ev.submitter.name, ev.submitter.value);
    }
    var slot = messageSlot(form);
    var key = rowKeyOf(form);
    if (key) follow[key] = Date.now() + 5000;
    var buttons = form.querySelectorAll("button");
    buttons.forEach(function (b) { b.disabled = true; });
    window.fetch(form.action, { method: "POST", body: body, credentials: "same-origin",
                                headers: { "X-Requested-With": "fetch" } })
      .then(function (res) {
        if (res.redirected && res.url.indexOf("/login/") !== -1) {
          window.location.href = "/login/?next=" + encodeURIComponent(window.location.pathname);
          return null;
        }
        if (res.ok) {
          return res.json().then(function (answer) {
            if (slot) slot.innerHTML = "";
            announce(answer.message || "Done.");
            var said = document.getElementById("board-said");
            if (said) said.textContent = answer.message || "Done.";
            if (unitPage) refreshUnit();
          });
        }
        delete follow[key];
        return res.text().then(function (html) {
          if (!slot) { announce("Refused."); return; }
          slot.innerHTML = res.status < 500 ? html
            : '<div class="refusal" role="alert"><p class="refusal-head">Something went wrong on the server; nothing was changed. Try again.</p></div>';
          var refusal = slot.querySelector(".refusal");
          if (refusal) {
            refusal.setAttribute("tabindex", "-1");
            refusal.focus();
          }
        });
      })
      .catch(function () {
        delete follow[key];
        if (slot) slot.innerHTML = '<div class="refusal" role="alert"><p class="refusal-head">No answer from the server: check the connection and try again.</p></div>';
      })
      .then(function () { buttons.forEach(function (b) { if (document.contains(b)) b.disabled = false; }); });
  });

  // ------------------------------------------------------------------------------- unit view
  // The crew's view refreshes when its unit or one of its logs changes (not while someone types in it).
  var unitPage = document.querySelector("[data-page=unit]");
  var unitPending = false;

  function refreshUnit() {
    var live = document.getElementById("unit-live");
    if (!live) return;
    if (live.contains(document.activeElement) && typing(document.activeElement)) { unitPending = true; return; }
    unitPending = false;
    window.fetch(window.location.pathname, { credentials: "same-origin" }).then(function (res) {
      if (!res.ok || (res.redirected && res.url.indexOf("/login/") !== -1)) return null;
      return res.text();
    }).then(function (html) {
      if (!html) return;
      var doc = new DOMParser().parseFromString(html, "text/html");
      var fresh = doc.getElementById("unit-live");
      if (!fresh) return;
      var focusedId = document.activeElement && live.contains(document.activeElement) ? document.activeElement.id : "";
      live.innerHTML = fresh.innerHTML;
      var again = focusedId && document.getElementById(focusedId);
      if (again) again.focus();
      var section = doc.querySelector("[data-page=unit]");
      if (section && section.getAttribute("data-logs") !== unitPage.getAttribute("data-logs")) {
        unitPage.setAttribute("data-logs", section.getAttribute("data-logs"));
        followUnit();
      }
    });
  }

  var unitStream = null;
  var unitSince = 0;

  function followUnit() {
    if (unitStream) unitStream.close();
    var callsign = unitPage.getAttribute("data-callsign");
    var logs = (unitPage.getAttribute("data-logs") || "").split(",").filter(Boolean);
    var topics = ["dispatch"].concat(logs.map(function (id) { return "log:" + id; }));
    unitSince = unitSince || Number(unitPage.getAttribute("data-since")) || 0;
    unitStream = new EventSource("/events/stream?topics=" + topics.join(",") + "&since=" + unitSince);
    var timer = null;
    function later() {
      window.clearTimeout(timer);
      timer = window.setTimeout(refreshUnit, 250);
    }
    unitStream.addEventListener("row", function (ev) {
      unitSince = Number(ev.lastEventId) || unitSince;
      var d = JSON.parse(ev.data);
      if (d.table === "units" && d.key === callsign) later();
      if (d.table === "logs" && document.querySelector('#unit-live a.ref[href="/logs/' + d.key + '/"]')) later();
    });
    ["entry_added", "log_changed"].forEach(function (name) {
      unitStream.addEventListener(name, function (ev) { unitSince = Number(ev.lastEventId) || unitSince; later(); });
    });
  }

  if (unitPage) {
    followUnit();
    document.addEventListener("focusout", function (ev) {
      var live = document.getElementById("unit-live");
      if (!unitPending || !live || (ev.relatedTarget && live.contains(ev.relatedTarget))) return;
      window.setTimeout(refreshUnit, 0);
    });
  }

  var dataEl = document.getElementById("board-data");
  if (!dataEl) return;

  // ---------------------------------------------------------------------------------- boards
  var cfg = JSON.parse(dataEl.textContent);
  var page = cfg.page;
  var root = document.getElementById("board");
  var skew = Date.parse(cfg.now) - Date.now();  // the server's clock is the one the targets are on

  function now() { return Date.now() + skew; }

  // ------------------------------------------------------------------------------- times
  var hm = new Intl.DateTimeFormat("en-GB", { timeZone: cfg.tz, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  var dm = new Intl.DateTimeFormat("en-GB", { timeZone: cfg.tz, day: "2-digit", month: "2-digit" });
  var full = new Intl.DateTimeFormat("en-GB", { timeZone: cfg.tz, weekday: "short", day: "2-digit", month: "short",
                                                year: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit",
                                                hourCycle: "h23", timeZoneName: "short" });

  function shown(iso) {
    var d = new Date(iso);
    var today = dm.format(d) === dm.format(new Date(now()));
    return today ? hm.format(d) : dm.format(d) + " " + hm.format(d);
  }

  function span(minutes) {
    if (minutes < 60) return minutes + " min";
    if (minutes < 24 * 60) return Math.floor(minutes / 60) + " h" + (minutes % 60 ? " " + (minutes % 60) + " min" : "");
    return Math.floor(minutes / (24 * 60)) + " d";
  }

  // As the server says durations: "just now", "12 min ago", "in 3 min".
  function ago(iso) {
    var seconds = Math.round((now() - Date.parse(iso)) / 1000);
    var future = seconds < 0;
    seconds = Math.abs(seconds);
    if (seconds < 60) return future ? "in under a minute" : "just now";
    var text = span(Math.floor(seconds / 60));
    return future ? "in " + text : text + " ago";
  }

  function clockText(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    var h = Math.floor(s / 3600);
    var m = Math.floor((s % 3600) / 60);
    var sec = s % 60;
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return h ? h + ":" + pad(m) + ":" + pad(sec) : m + ":" + pad(sec);
  }

  // D1: the clock's state at the alert fractions: a shape, words and a colour class for each.
  function clockState(el, at) {
    var d = el.dataset;
    if (d.attended) {
      var late = d.breached || (d.target && Date.parse(d.attended) > Date.parse(d.target));
      return { cls: "cd-done", html: '<span aria-hidden="true">✔</span> Attended ' + esc(shown(d.attended)) +
        (late ? " (after the target)" : "") };
    }
    if (!d.target) {
      return { cls: "cd-none", html: d.appointment ? "By appointment " + esc(shown(d.appointment)) : "No target" };
    }
    var target = Date.parse(d.target);
    var started = Date.parse(d.started);
    if (d.breached || at >= target) {
      var gone = Math.floor((at - Date.parse(d.breached || d.target)) / 60000);
      return { cls: "cd-breach", breach: true, html: '<span aria-hidden="true">✖</span> <b>BREACHED</b> ' +
        (gone < 1 ? "just now" : span(gone) + " ago") };
    }
    var fraction = (at - started) / Math.max(1, target - started);
    var steps = cfg.fractions.filter(function (f) { return f < 1; });
    var passed = steps.filter(function (f) { return fraction >= f; });
    var left = clockText(target - at) + " left";
    if (!passed.length) return { cls: "cd-ok", html: '<span aria-hidden="true">○</span> ' + left };
    var last = passed.length === steps.length;
    return { cls: last ? "cd-danger" : "cd-warn", html: '<span aria-hidden="true">' + (last ? "▲" : "◐") + "</span> <b>" +
      Math.round(passed[passed.length - 1] * 100) + "% gone</b> · " + left };
  }

  function deadlineText(el, at) {
    var iso = el.dataset.deadline;
    if (!iso) return null;
    var left = Date.parse(iso) - at;
    if (el.dataset.kind === "decide") {
      return left > 0 ? "decide within " + clockText(left) : "overdue: going to the duty inspector";
    }
    return left > 0 ? "escalates in " + clockText(left) : "escalating now";
  }

  function tick() {
    var at = now();
    root.querySelectorAll(".countdown").forEach(function (el) {
      var st = clockState(el, at);
      var cls = "countdown " + st.cls;
      if (el.className !== cls) {
        var wasBreach = el._wkDrawn && el.className.indexOf("cd-breach") === -1 && st.breach;
        el.className = cls;
        if (wasBreach) {
          var tr = el.closest("tr");
          announce((tr ? tr.getAttribute("data-key") + ": " : "") + "response target breached.");
        }
      }
      if (el._wkHtml !== st.html) { el.innerHTML = st.html; el._wkHtml = st.html; }
      el._wkDrawn = true;
      if (el.dataset.target && !el.title) el.title = "Target " + full.format(new Date(el.dataset.target)) +
        (el.dataset.started ? "; clock from the first contact at " + shown(el.dataset.started) : "");
    });
    root.querySelectorAll(".deadline").forEach(function (el) {
      var text = deadlineText(el, at);
      if (text !== null && el.textContent !== text) el.textContent = text;
    });
    root.querySelectorAll("time[datetime] .ago").forEach(function (el) {
      var text = ago(el.parentNode.getAttribute("datetime"));
      if (el.textContent !== text) el.textContent = text;
    });
  }

  // ------------------------------------------------------------------------- where rows go
  // The server renders each row's place in its table as data-sort (dispatch/rows.py sort_key): compared
  // element by element, it is the order a reload draws.
  function sortOf(tr) {
    if (!tr._wkSort) {
      try { tr._wkSort = JSON.parse(tr.getAttribute("data-sort") || "[]"); } catch (e) { tr._wkSort = []; }
    }
    return tr._wkSort;
  }

  function compare(a, b) {
    for (var i = 0; i < Math.max(a.length, b.length); i++) {
      if (a[i] === b[i]) continue;
      if (a[i] === undefined) return -1;
      if (b[i] === undefined) return 1;
      return a[i] < b[i] ? -1 : 1;
    }
    return 0;
  }

  function rowsOf(table, key) {
    return Array.prototype.slice.call(root.querySelectorAll("tr.wk-row[data-table=\"" + table + "\"]"))
      .filter(function (tr) { return tr.getAttribute("data-key") === String(key); });
  }

  function build(html) {
    var holder = document.createElement("tbody");
    holder.innerHTML = html;
    return holder.querySelector("tr");
  }

  function insertSorted(tbody, tr) {
    var key = sortOf(tr);
    var rows = tbody.querySelectorAll("tr.wk-row");
    for (var i = 0; i < rows.length; i++) {
      if (compare(key, sortOf(rows[i])) < 0) { tbody.insertBefore(tr, rows[i]); return; }
    }
    tbody.appendChild(tr);
  }

  // Whether a row stands where its data-sort puts it among its neighbours.
  function inOrder(tr) {
    var prev = tr.previousElementSibling;
    var next = tr.nextElementSibling;
    while (prev && !prev.classList.contains("wk-row")) prev = prev.previousElementSibling;
    while (next && !next.classList.contains("wk-row")) next = next.nextElementSibling;
    return (!prev || compare(sortOf(prev), sortOf(tr)) <= 0) && (!next || compare(sortOf(tr), sortOf(next)) <= 0);
  }

  function refreshEmpty() {
    root.querySelectorAll("tbody[data-empty]").forEach(function (tbody) {
      var n = tbody.querySelectorAll("tr.wk-row").length;
      var empty = tbody.querySelector("tr.empty-row");
      if (n && empty) empty.remove();
      if (!n && !empty) {
        tbody.insertAdjacentHTML("beforeend", '<tr class="empty-row"><td colspan="' + tbody.getAttribute("data-cols") +
          '" class="muted">' + esc(tbody.getAttribute("data-empty")) + "</td></tr>");
      }
      var count = root.querySelector('[data-count-for="' + tbody.id + '"]');
      if (count && count.textContent !== String(n)) count.textContent = String(n);
    });
  }

  function markChanged(tr) {
    tr.classList.add("changed");
    window.setTimeout(function () { tr.classList.remove("changed"); }, 6000);
  }

  // A row someone is working in: focus inside it and they are typing, choosing, or have a form open.
  function busy(tr) {
    var a = document.activeElement;
    if (!a || !tr.contains(a)) return false;
    return typing(a) || !!tr.querySelector("details[open]");
  }

  function focusInside(tr) {
    var a = document.activeElement;
    return !!a && a !== document.body && tr.contains(a);
  }

  function focusedRow() {
    var a = document.activeElement;
    return a && a.closest ? a.closest("tr.wk-row") : null;
  }

  // Put focus back on the same control in a redrawn row (or on its reference).
  function restoreFocus(tr, was) {
    var target = null;
    if (was.id) target = tr.querySelector("#" + CSS.escape(was.id));
    if (!target && was.act) {
      var scope = was.asg ? tr.querySelector("#" + CSS.escape(was.asg)) : null;
      target = (scope && scope.querySelector('[data-act="' + was.act + '"]')) || tr.querySelector('[data-act="' + was.act + '"]');
    }
    if (!target) target = tr.querySelector("[data-focus=ref]") || tr;
    if (target === tr) tr.setAttribute("tabindex", "-1");
    target.focus({ preventScroll: true });
  }

  function focusMemo() {
    var a = document.activeElement;
    var asg = a && a.closest ? a.closest(".asg") : null;
    return { id: a ? a.id : "", act: a && a.getAttribute ? a.getAttribute("data-act") : "", asg: asg ? asg.id : "" };
  }

  var held = {};  // rows waiting for the person to leave them: table|key -> the newest event for the row

  // One row event: {table, key, tbody (null: not on this page), html, say}.
  function place(ev) {
    var id = ev.table + "|" + ev.key;
    var existing = rowsOf(ev.table, ev.key);
    var following = follow[id] && follow[id] > Date.now();
    var mine = existing.filter(focusInside)[0];
    if (mine && !following) {
      if (busy(mine) || !ev.tbody) {  // never under someone's hands: redrawn once they leave the row
        held[id] = ev;
        mine.classList.add("wk-stale");
        return;
      }
      // In place: the row keeps its position (and focus) even if its order changed; it moves once left.
      var memo = focusMemo();
      var fresh = build(ev.html);
      mine.replaceWith(fresh);
      restoreFocus(fresh, memo);
      markChanged(fresh);
      if (fresh.parentNode.id !== ev.tbody || !inOrder(fresh)) held[id] = ev;
      else delete held[id];
      existing.forEach(function (tr) { if (tr !== mine) tr.remove(); });
      syncChooser(fresh);
      tick();
      refreshEmpty();
      return;
    }
    var anchor = focusedRow();
    var top = anchor ? anchor.getBoundingClientRect().top : 0;
    existing.forEach(function (tr) { tr.remove(); });
    delete held[id];
    var added = null;
    var tbody = ev.tbody && document.getElementById(ev.tbody);
    if (tbody) added = build(ev.html);
    if (added && !passes(added)) added = null;  // outside the queue's filters: not shown here
    if (added) {
      insertSorted(tbody, added);
      markChanged(added);
      syncChooser(added);
    }
    tick();
    refreshEmpty();
    if (added && following) {
      restoreFocus(added, {});
      added.scrollIntoView({ block: "nearest" });
    } else if (anchor && document.contains(anchor)) {
      var moved = anchor.getBoundingClientRect().top - top;  // keep the row in front of the person still
      if (moved) window.scrollBy(0, moved);
    }
    if (added && !existing.length && ev.say) announce(ev.say);
  }

  // Leaving a held row lets it take its new content and place.
  document.addEventListener("focusout", function (ev) {
    var tr = ev.target.closest ? ev.target.closest("tr.wk-row") : null;
    if (!tr || (ev.relatedTarget && tr.contains(ev.relatedTarget))) return;
    var id = tr.getAttribute("data-table") + "|" + tr.getAttribute("data-key");
    if (!held[id]) return;
    window.setTimeout(function () {
      if (tr.contains(document.activeElement) || !held[id]) return;
      var waiting = held[id];
      delete held[id];
      place(waiting);
    }, 0);
  });

  // The references a divert can go to: the logs on this board.
  function refreshRefs() {
    var list = document.getElementById("board-refs");
    if (!list) return;
    var refs = rows().filter(function (tr) { return tr.getAttribute("data-table") === "logs"; })
      .map(function (tr) { return tr.getAttribute("data-key"); }).sort();
    var now = Array.prototype.map.call(list.options, function (o) { return o.value; }).join(",");
    if (now === refs.join(",")) return;
    list.innerHTML = refs.map(function (r) { return '<option value="' + esc(r) + '"></option>'; }).join("");
  }

  // A unit chooser offers the page's list of units (#unit-choices, rendered by the server and replaced when
  // units change) without those already on its log; one in use is brought up to date when it is next opened.
  function syncChooser(scope) {
    var list = document.getElementById("unit-choices");
    if (!list) return;
    var selects = scope.matches && scope.matches("select[data-act=assign]") ? [scope]
      : Array.prototype.slice.call(scope.querySelectorAll("select[data-act=assign]"));
    selects.forEach(function (sel) {
      var exclude = (sel.getAttribute("data-exclude") || "").split(" ").filter(Boolean);
      var chosen = sel.value;
      var options = Array.prototype.filter.call(list.content.querySelectorAll("option"), function (o) {
        return exclude.indexOf(o.value) === -1;
      });
      var html = options.map(function (o) { return o.outerHTML; }).join("");
      if (sel.innerHTML === html) return;
      sel.innerHTML = html;
      sel.value = chosen;
    });
  }

  function newChoices(html) {
    var list = document.getElementById("unit-choices");
    if (!list || list.innerHTML === html) return;
    list.innerHTML = html;
    root.querySelectorAll("select[data-act=assign]").forEach(function (sel) {
      if (sel !== document.activeElement) syncChooser(sel);
    });
  }

  document.addEventListener("focusin", function (ev) {
    if (ev.target.matches && ev.target.matches("select[data-act=assign]")) syncChooser(ev.target);
  });

  // ------------------------------------------------------------------------------ keyboard
  var KEYS = page === "board"
    ? { a: "assign", d: "divert", x: "no-units", e: "state-e", s: "state-s", l: "state-l", k: "ack" }
    : { y: "approve", o: "override", k: "ack" };

  function rows() {
    return Array.prototype.slice.call(root.querySelectorAll("tr.wk-row"));
  }

  function go(target) {
    if (target.tagName === "SUMMARY") {
      target.parentNode.open = true;
      var first = target.parentNode.querySelector("input:not([type=hidden])");
      (first || target).focus();
    } else {
      target.focus();
    }
    target.scrollIntoView({ block: "nearest" });
  }

  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || ev.defaultPrevented || document.querySelector("dialog[open]")) return;
    var active = document.activeElement;
    var row = focusedRow();
    if (ev.key === "Escape" && active && active.closest) {
      var open = active.closest("details[open]");
      if (open) {
        ev.preventDefault();
        open.open = false;
        open.querySelector("summary").focus();
      }
      return;
    }
    if (typing(active)) return;
    if ((ev.key === "ArrowDown" || ev.key === "ArrowUp") && row) {
      var all = rows();
      var next = all[all.indexOf(row) + (ev.key === "ArrowDown" ? 1 : -1)];
      if (next) {
        ev.preventDefault();
        go(next.querySelector("[data-focus=ref]") || next);
      }
      return;
    }
    var act = ev.key.length === 1 ? KEYS[ev.key.toLowerCase()] : null;
    if (!act) return;
    var sel = '[data-act="' + act + '"]';
    var target = (row && row.querySelector(sel)) || root.querySelector("tr.wk-row " + sel);
    if (!target) return;
    ev.preventDefault();
    ev.stopPropagation();
    go(target);
  }, true);

  // ------------------------------------------------------------------------------ the queue's filters
  // The filters are in the URL (the server draws the filtered board); a row arriving live is tested against
  // the same filters from its data-f-* attributes (web/board_filters.py row_attrs). Changing a filter loads
  // the board again with the new query, and focus returns to that filter.
  var filters = {};
  (function () {
    var q = new URLSearchParams(window.location.search);
    ["grade", "area", "category", "status", "flag"].forEach(function (name) {
      var value = q.get(name);
      if (value) filters[name] = value;
    });
  })();

  function passes(tr) {
    var d = tr.dataset || {};
    var words = function (v) { return (v || "").split(" ").filter(Boolean); };
    if (filters.grade && d.fGrade !== filters.grade) return false;
    if (filters.area && d.fArea !== filters.area) return false;
    if (filters.category && d.fCategory !== filters.category) return false;
    if (filters.flag && words(d.fFlags).indexOf(filters.flag) < 0) return false;
    if (filters.status && words(d.fStatus).indexOf(filters.status) < 0) return false;
    return true;
  }

  var filterForm = document.getElementById("board-filters");
  if (filterForm) {
    var FOCUS_KEY = "wk-board-filter-focus";
    filterForm.addEventListener("change", function (ev) {
      if (!ev.target || !ev.target.id) return;
      try { window.sessionStorage.setItem(FOCUS_KEY, ev.target.id); } catch (e) { /* private mode */ }
      var params = new URLSearchParams();
      Array.prototype.forEach.call(filterForm.querySelectorAll("select[name]"), function (sel) {
        if (sel.value) params.set(sel.name, sel.value);
      });
      var query = params.toString();
      window.location.assign(window.location.pathname + (query ? "?" + query : ""));
    });
    try {
      var back = window.sessionStorage.getItem(FOCUS_KEY);
      if (back) {
        window.sessionStorage.removeItem(FOCUS_KEY);
        var el = document.getElementById(back);
        if (el) el.focus();
      }
    } catch (e) { /* private mode */ }
  }

  // ------------------------------------------------------------------------------ the stream
  var since = cfg.seq;
  var conn = document.getElementById("board-conn");

  function status(text) {
    if (conn && conn.textContent !== text) conn.textContent = text;
  }

  function connect() {
    var es = new EventSource("/events/stream?topics=dispatch&view=" + encodeURIComponent(cfg.view) + "&since=" + since);
    es.onopen = function () { status("Live"); };
    es.onerror = function () {
      status(es.readyState === EventSource.CLOSED ? "Live updates stopped: reload the page" : "Live updates: reconnecting…");
    };
    es.addEventListener("row", function (ev) {
      since = Number(ev.lastEventId) || since;  // a reconnection resumes after it (Last-Event-ID)
      var data = JSON.parse(ev.data);
      if (data.choices !== undefined) newChoices(data.choices);
      var arriving = data.table === "alert_logs" && !rowsOf("alert_logs", data.key).length;
      place(data);
      if (arriving) alertArrived(rowsOf("alert_logs", data.key)[0]);
      countInTitle();
      if (data.table === "logs") refreshRefs();
      root.setAttribute("data-seq", String(since));
    });
  }

  // ------------------------------------------------------------------- alerts that cannot be missed
  // D1: a new alert this person may acknowledge (their level) sounds a short tone (Web Audio; muted per
  // person on this browser) and the tab's title counts the alerts waiting for them, so a board behind
  // another window is still heard and seen.
  var TONE_KEY = "wk-alert-tone";
  var baseTitle = document.title;
  var audio = null;

  function muted() {
    try { return window.localStorage.getItem(TONE_KEY) === "off"; } catch (e) { return false; }
  }

  function tone() {
    if (muted()) return;
    var AC = window.AudioContext || window.webkitAudioContext;
    if (!AC) return;
    try {
      audio = audio || new AC();
      if (audio.state === "suspended" && audio.resume) audio.resume();
      var t = audio.currentTime;
      [0, 0.22].forEach(function (offset, i) {  // two short notes: distinct from any other sound on the desk
        var osc = audio.createOscillator();
        var gain = audio.createGain();
        osc.type = "sine";
        osc.frequency.value = i ? 660 : 880;
        gain.gain.setValueAtTime(0.0001, t + offset);
        gain.gain.exponentialRampToValueAtTime(0.25, t + offset + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, t + offset + 0.18);
        osc.connect(gain);
        gain.connect(audio.destination);
        osc.start(t + offset);
        osc.stop(t + offset + 0.2);
      });
    } catch (e) { /* no audio device: the title and the announcement still say it */ }
  }

  function waiting() {
    return Array.prototype.filter.call(root.querySelectorAll('tr.wk-row[data-table="alert_logs"]'), function (tr) {
      return !!tr.querySelector('[data-act="ack"]');
    }).length;
  }

  function countInTitle() {
    var n = waiting();
    var title = n ? "(" + n + ") " + baseTitle : baseTitle;
    if (document.title !== title) document.title = title;
  }

  function alertArrived(tr) {
    if (!tr || !tr.querySelector('[data-act="ack"]')) return;  // not at this person's level
    tone();
    var ref = tr.querySelector(".ref");
    announce("New alert" + (ref ? " on " + ref.textContent : "") + ".");
  }

  function muteButton() {
    var head = root.querySelector(".pane-head");
    if (!head || !root.querySelector("#alerts-body")) return;  // a page without alerts has nothing to sound
    var b = document.createElement("button");
    b.type = "button";
    b.className = "small-button tone-toggle";
    b.id = "tone-toggle";
    function draw() {
      var off = muted();
      b.setAttribute("aria-pressed", off ? "true" : "false");
      b.textContent = off ? "Alert tone: muted" : "Alert tone: on";
      b.title = off ? "New alerts at your level are silent on this browser: press to hear them"
        : "New alerts at your level sound a tone: press to mute on this browser";
    }
    b.addEventListener("click", function () {
      try { window.localStorage.setItem(TONE_KEY, muted() ? "on" : "off"); } catch (e) { /* private mode */ }
      draw();
      if (!muted()) tone();  // hear what it sounds like (and let the browser allow sound)
    });
    draw();
    head.appendChild(b);
  }

  muteButton();
  countInTitle();
  tick();
  window.setInterval(tick, 1000);
  connect();
  root.setAttribute("data-seq", String(since));
})();
