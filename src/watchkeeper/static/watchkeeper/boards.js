// Watchkeeper's live dispatch boards (dispatcher and command) and the unit view.
//
// A board page embeds the board's snapshot and the sequence number it is current to; this script follows
// /events/stream?topics=dispatch from that number and applies every "row" event as the server's
// boards.apply does (upsert the row by table and key, or remove it), then redraws only that row. So a board
// that has applied the events after its snapshot equals a fresh load. Clocks are drawn here every second
// from their deadlines (nothing is pushed per second); their state changes at the policy's alert fractions
// in colour AND words and shapes. A row someone is working in never moves or changes under them: it is
// redrawn in place, or once they leave it. Forms post to the dispatch views; a refusal comes back as a
// fragment and is shown beside the control that caused it.
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
  var board = cfg.board;
  var page = cfg.page;
  var root = document.getElementById("board");
  var skew = Date.parse(cfg.now) - Date.now();  // the server's clock is the one the targets are on

  function now() { return Date.now() + skew; }

  // ---------------------------------------------------------------- the reducer (boards.apply)
  function apply(payload) {
    var table = board[payload.table];
    if (!table) return false;
    if (payload.row === null || payload.row === undefined) delete table[payload.key];
    else table[payload.key] = payload.row;
    return true;
  }

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

  function when(iso) {
    if (!iso) return "";
    return '<time datetime="' + esc(iso) + '" title="' + esc(full.format(new Date(iso))) + '">' + esc(shown(iso)) +
      ' <span class="ago">' + esc(ago(iso)) + "</span></time>";
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

  // ------------------------------------------------------------------------------ rendering
  // The same markup as the server's row templates (dispatch/_*_row.html), from the same row data.
  function gradeBadge(code) {
    if (!code) return '<span class="badge grade grade-none">Ungraded</span>';
    var g = cfg.grades[code] || { label: code, short: code, shape: "■" };
    return '<span class="badge grade grade-' + esc(code) + '" title="Grade: ' + esc(g.label) +
      '"><span aria-hidden="true">' + esc(g.shape) + "</span> " + esc(g.short) + "</span>";
  }

  function flagBadge(code) {
    return '<span class="badge flag flag-' + esc(code) + '" title="Marker">' + esc(cfg.flags[code] || code) + "</span>";
  }

  function countdown(row) {
    var appointment = "";
    (row.units || []).forEach(function (u) { if (u.appointment_at && !appointment) appointment = u.appointment_at; });
    return '<span class="countdown" data-started="' + esc(row.started_at || "") + '" data-target="' + esc(row.target_at || "") +
      '" data-attended="' + esc(row.attended_at || "") + '" data-breached="' + esc(row.breached_at || "") +
      '" data-appointment="' + esc(appointment) + '"></span>';
  }

  function hidden(name, value) {
    return '<input type="hidden" name="' + esc(name) + '" value="' + esc(value) + '">';
  }

  function formStart(what, msg, formKey, anchor) {
    return '<form method="post" action="/dispatch/do/' + what + '/" class="inline wk-act" data-msg="' + esc(msg) + '">' +
      hidden("csrfmiddlewaretoken", cfg.csrf) + formHidden(formKey, anchor);
  }

  function formHidden(formKey, anchor) {
    return hidden("form", formKey) + hidden("next", window.location.pathname) + (anchor ? hidden("anchor", anchor) : "");
  }

  function incident(row) {
    return "<b>" + esc(row.category) + "</b> · " + esc(row.summary) +
      (row.location ? '<span class="loc">' + esc(row.location) + "</span>" : "");
  }

  // L12: the log's officer-safety summary, as the server's _risk_summary.html draws it (the compact form).
  function riskSummary(rs) {
    rs = rs || { badges: [], none_recorded: true, checked: {} };
    var badges = rs.badges || [];
    var html;
    if (badges.length) {
      html = badges.map(function (b) {
        return '<span class="badge marker risk-badge mk-' + esc(b.group) + " mk-" + esc(b.kind) + '" title="' + esc(b.text) +
          '"><span aria-hidden="true">' + esc(b.shape) + "</span> " + esc(b.label) + ": " + esc(b.subject) + "</span> ";
      }).join("");
    } else {
      var c = rs.checked || {};
      html = c.people || c.addresses || c.phones ? '<span class="risk-none">None recorded</span>'
        : '<span class="risk-none">None recorded <span class="muted">(no person, address or phone on the log yet)</span></span>';
    }
    return '<div class="risk-summary">' + html + "</div>";
  }

  function ungradedTag(row) {
    return row.ungraded ? '<span class="badge warn ungraded-tag" title="An emergency call not graded yet: grade it before its deadline (D1)"><span aria-hidden="true">◌</span> Not graded yet</span> ' : "";
  }

  function gradeClass(row) {
    return row.grade ? "g-" + row.grade : "g-none";
  }

  function pendingTag() {
    return '<span class="badge pending-tag"><span aria-hidden="true">◌</span> Pending: no unit</span>';
  }

  function unitChoices(row) {
    var on = {};
    (row.units || []).forEach(function (u) { on[u.callsign] = true; });
    return Object.keys(board.units).map(function (k) { return board.units[k]; })
      .filter(function (u) { return u.on_duty && !on[u.callsign]; })
      .sort(function (a, b) {
        return (a.status !== "available") - (b.status !== "available") || (a.callsign < b.callsign ? -1 : a.callsign > b.callsign ? 1 : 0);
      })
      .map(function (u) {
        return '<option value="' + esc(u.callsign) + '">' + esc(u.callsign) + " · " +
          esc(cfg.unitStatuses[u.status] || u.status) + " · " + esc(u.area) + "</option>";
      }).join("");
  }

  function assignmentBlock(row, a) {
    var ref = row.reference;
    var id = a.assignment;
    var html = '<div class="asg" id="asg-' + id + '">\n<span class="asg-line"><a class="callsign" href="/dispatch/units/' +
      esc(a.callsign) + '/">' + esc(a.callsign) + '</a> <span class="badge asg-state asg-' + esc(a.state) + '">' +
      esc(cfg.states[a.state] || a.state) + "</span>" +
      (a.appointment_at ? ' <span class="muted small">appointment ' + when(a.appointment_at) + "</span>" : "") + "</span>\n";
    var next = cfg.next[a.state] || [];
    if (cfg.perms["dispatch.update"] && next.length) {
      html += formStart("state", "msg-asg-" + id, "asg-" + id, "logs-" + ref) + hidden("assignment", id);
      next.forEach(function (s) {
        var b = cfg.stateButtons[s];
        html += '<button type="submit" name="state" value="' + s + '" class="small-button" data-act="state-' + b[1] +
          '" title="' + esc(a.callsign) + ": " + esc(b[0].toLowerCase()) + " (" + b[1].toUpperCase() + ')" aria-label="' +
          esc(a.callsign) + " " + esc(b[0].toLowerCase()) + '">' + esc(b[0]) + "</button>";
      });
      html += "</form>";
    }
    html += "\n";
    if (cfg.perms["dispatch.assign"]) {
      html += '<details class="divert"><summary data-act="divert" title="Divert ' + esc(a.callsign) +
        ' to another log (D)">Divert…</summary>\n<form method="post" action="/dispatch/do/divert/" class="wk-act divert-form" data-msg="msg-asg-' +
        id + '">' + hidden("csrfmiddlewaretoken", cfg.csrf) + hidden("callsign", a.callsign) + hidden("from_reference", ref) +
        formHidden("asg-" + id, "logs-" + ref) + "\n" +
        '<label for="dv-to-' + id + '">Divert ' + esc(a.callsign) + ' to log</label><input id="dv-to-' + id +
        '" name="to_reference" list="board-refs" required class="mono-input" autocomplete="off">\n' +
        '<label for="dv-why-' + id + '">Why: the comparative risk</label><input id="dv-why-' + id + '" name="reason" required>\n' +
        '<button type="submit" class="small-button">Divert ' + esc(a.callsign) + "</button></form></details>";
    }
    return html + '\n<div class="form-msg" id="msg-asg-' + id + '"></div></div>';
  }

  function logRow(row) {
    var ref = row.reference;
    var units = (row.units || []).map(function (a) { return assignmentBlock(row, a); }).join("");
    if (!units) units = row.pending ? pendingTag() : '<span class="muted">No unit on it (attended)</span>';
    var act = "";
    if (cfg.perms["dispatch.assign"]) {
      act += formStart("assign", "msg-log-" + ref, "log-" + ref, "logs-" + ref) + hidden("reference", ref) + "\n" +
        '<label class="sr-only" for="as-' + esc(ref) + '">Unit to assign to ' + esc(ref) + '</label><select id="as-' + esc(ref) +
        '" name="callsign" required data-act="assign" title="Assign a unit (A)" aria-keyshortcuts="a"><option value="">Unit…</option>' +
        unitChoices(row) + "</select>" +
        (row.grade === "scheduled" ? '\n<label class="sr-only" for="ap-' + esc(ref) + '">Appointment for ' + esc(ref) +
          '</label><input type="datetime-local" id="ap-' + esc(ref) +
          '" name="appointment_at" title="Appointment: the unit is committed, not en route (D4)">' : "") +
        '\n<button type="submit" class="small-button">Assign</button></form>';
      if (row.pending) {
        act += "\n" + formStart("no_units", "msg-log-" + ref, "log-" + ref, "logs-" + ref) + hidden("reference", ref) +
          '<button type="submit" class="small-button" data-act="no-units" title="No units available: the log stays pending and goes to the controller (D3) (X)">No units</button></form>';
      }
    }
    act += '\n<div class="form-msg" id="msg-log-' + esc(ref) + '"></div>';
    var markers = ungradedTag(row) + (row.diverted ? '<span class="badge divert-tag" title="A unit was diverted away from this log (D2)"><span aria-hidden="true">↺</span> Diverted</span> ' : "") +
      (row.flags || []).map(function (f) { return flagBadge(f) + " "; }).join("") +
      (row.vulnerability ? '<span class="badge warn">Vulnerability: ' + esc(row.vulnerability) + "</span> " : "") +
      riskSummary(row.risk_summary);
    return '<tr id="logs-' + esc(ref) + '" data-table="logs" data-key="' + esc(ref) + '" class="wk-row ' + gradeClass(row) +
      (row.diverted ? " is-diverted" : "") + '">\n' +
      '<th scope="row" class="ref-cell"><a class="ref" href="/logs/' + esc(ref) + '/" data-focus="ref">' + esc(ref) + "</a></th>\n" +
      '<td class="clock-cell">' + countdown(row) + "</td>\n" +
      '<td class="nowrap">' + gradeBadge(row.grade) + "</td>\n" +
      '<td class="inc-cell">' + incident(row) + "</td>\n" +
      '<td class="markers">' + markers + "</td>\n" +
      '<td class="units-cell">' + units + "</td>\n" +
      '<td class="act-cell">' + act + "</td>\n</tr>";
  }

  function breachRow(row) {
    var ref = row.reference;
    var units = (row.units || []).map(function (a) {
      return '<span class="nowrap"><a class="callsign" href="/dispatch/units/' + esc(a.callsign) + '/">' + esc(a.callsign) +
        '</a> <span class="muted">' + esc(cfg.states[a.state] || a.state) + "</span></span> ";
    }).join("") || (row.pending ? pendingTag() : '<span class="muted">None</span>');
    return '<tr id="breaches-' + esc(ref) + '" data-table="logs" data-key="' + esc(ref) + '" class="wk-row ' + gradeClass(row) + '">\n' +
      '<th scope="row" class="ref-cell"><a class="ref" href="/logs/' + esc(ref) + '/" data-focus="ref">' + esc(ref) + "</a></th>\n" +
      '<td class="clock-cell">' + countdown(row) + "</td>\n" +
      '<td class="nowrap">' + gradeBadge(row.grade) + "</td>\n" +
      '<td class="inc-cell">' + incident(row) + " " + riskSummary(row.risk_summary) + "</td>\n" +
      "<td>" + units + "</td>\n</tr>";
  }

  function unitRow(u) {
    var cs = u.callsign;
    var asg = (u.assignments || []).map(function (a) {
      return '<span class="nowrap"><a class="ref" href="/logs/' + esc(a.reference) + '/">' + esc(a.reference) +
        '</a> <span class="muted">' + esc(cfg.states[a.state] || a.state) + "</span></span>";
    }).join(", ") || '<span class="muted">None</span>';
    return '<tr id="units-' + esc(cs) + '" data-table="units" data-key="' + esc(cs) + '" class="wk-row us-' + esc(u.status) + '">\n' +
      '<th scope="row"><a class="callsign" href="/dispatch/units/' + esc(cs) + '/" data-focus="ref">' + esc(cs) + "</a></th>\n" +
      '<td class="nowrap"><span class="badge ustatus us-' + esc(u.status) + '"><span aria-hidden="true">' +
      esc(cfg.unitShapes[u.status] || "") + "</span> " + esc(cfg.unitStatuses[u.status] || u.status) + "</span></td>\n" +
      '<td class="nowrap">' + when(u.status_at) + "</td>\n" +
      "<td>" + esc(u.area) + ' <span class="muted">(' + esc(u.area_type) + ")</span></td>\n" +
      "<td>" + (u.skills && u.skills.length ? esc(u.skills.join(", ")) : "—") + "</td>\n" +
      "<td>" + asg + "</td>\n</tr>";
  }

  function escalated(a) {
    var origin = cfg.origins[a.kind] || "dispatcher";
    return cfg.chain.indexOf(a.level) > cfg.chain.indexOf(origin);
  }

  function mayAcknowledge(level) {
    var mine = cfg.chain.indexOf(cfg.role);
    return mine !== -1 && mine >= cfg.chain.indexOf(level);
  }

  function alertRow(a) {
    var id = a.id;
    var level = cfg.levels[a.level] || a.level;
    var deadline = a.escalate_at ? '<span class="deadline" data-deadline="' + esc(a.escalate_at) + '" data-kind="escalate"></span>'
      : a.kind === "divert" ? '<span class="muted">At the divert\'s deadline</span>' : '<span class="muted">End of the chain</span>';
    var act;
    if (a.divert && board.diverts[String(a.divert)]) {
      act = '<a href="/dispatch/command/#diverts-' + esc(a.divert) + '">Decide the divert</a>';
    } else if (mayAcknowledge(a.level)) {
      act = formStart("ack", "msg-alert-" + id, "alert-" + id, "") + hidden("alert", id) + "\n" +
        '<label class="sr-only" for="ak-' + id + '">What you are doing about the alert on ' + esc(a.reference) +
        '</label><input id="ak-' + id + '" name="note" placeholder="What you are doing" class="ack-note">\n' +
        '<button type="submit" class="small-button" data-act="ack" title="Acknowledge the alert (K)" aria-keyshortcuts="k">Acknowledge</button></form>';
    } else {
      act = '<span class="muted">For the ' + esc(level.toLowerCase()) + "</span>";
    }
    return '<tr id="alerts-' + id + '" data-table="alerts" data-key="' + id + '" class="wk-row lv-' + esc(a.level) + '">\n' +
      '<td class="nowrap"><span class="badge level lv-' + esc(a.level) + '"><span aria-hidden="true">' +
      esc(cfg.levelShapes[a.level] || "") + "</span> " + esc(level) + "</span>" +
      (escalated(a) ? ' <span class="badge warn">Escalated</span>' : "") + "</td>\n" +
      '<th scope="row" class="ref-cell"><a class="ref" href="/logs/' + esc(a.reference) + '/" data-focus="ref">' + esc(a.reference) + "</a></th>\n" +
      '<td><b class="alert-kind k-' + esc(a.kind) + '">' + esc(cfg.alertKinds[a.kind] || a.kind) + "</b> · " + esc(a.text) + "</td>\n" +
      '<td class="nowrap">' + when(a.created_at) + "</td>\n" +
      '<td class="nowrap">' + deadline + "</td>\n" +
      '<td class="act-cell">' + act + '\n<div class="form-msg" id="msg-alert-' + id + '"></div></td>\n</tr>';
  }

  function divertRow(d) {
    var id = d.id;
    var state = d.state === "escalated"
      ? '<span class="badge danger"><span aria-hidden="true">▲</span> Escalated: no decision in time</span>'
      : '<span class="badge warn"><span aria-hidden="true">◆</span> Awaiting decision</span> <span class="deadline" data-deadline="' +
        esc(d.decide_by || "") + '" data-kind="decide"></span>';
    var act = '<span class="muted">For the controller</span>';
    if (cfg.perms["dispatch.decide"]) {
      act = formStart("decide", "msg-divert-" + id, "divert-" + id, "") + hidden("divert", id) + "\n" +
        '<label class="sr-only" for="dn-' + id + '">Note on the divert of ' + esc(d.unit) + '</label><input id="dn-' + id +
        '" name="note" placeholder="Note (needed to override)" class="ack-note">\n' +
        '<button type="submit" name="decision" value="approve" class="small-button primary" data-act="approve" title="Approve: ' +
        esc(d.unit) + " stays on " + esc(d.to) + "; the duty inspector is asked to find another unit for " + esc(d.from) +
        ' (Y)">Approve</button>\n<button type="submit" name="decision" value="override" class="small-button" data-act="override" title="Override: ' +
        esc(d.unit) + " goes back to " + esc(d.from) + ' (O)">Override</button></form>';
    }
    return '<tr id="diverts-' + id + '" data-table="diverts" data-key="' + id + '" class="wk-row dv-' + esc(d.state) + '">\n' +
      '<th scope="row"><a class="callsign" href="/dispatch/units/' + esc(d.unit) + '/" data-focus="ref">' + esc(d.unit) + "</a></th>\n" +
      '<td class="nowrap"><a class="ref" href="/logs/' + esc(d.from) + '/">' + esc(d.from) +
      '</a> <span aria-hidden="true">→</span><span class="sr-only">to</span> <a class="ref" href="/logs/' + esc(d.to) + '/">' + esc(d.to) + "</a></td>\n" +
      "<td>" + esc(d.reason) + "</td>\n" +
      '<td class="nowrap">' + when(d.at) + "</td>\n" +
      "<td>" + state + "</td>\n" +
      '<td class="act-cell">' + act + '\n<div class="form-msg" id="msg-divert-' + id + '"></div></td>\n</tr>';
  }

  var RENDER = { logs: logRow, breaches: breachRow, units: unitRow, alerts: alertRow, diverts: divertRow };

  // ------------------------------------------------------------------------- where rows go
  // Which table on this page holds a row (none: the row is not shown here), and in what order.
  function placeFor(table, row) {
    if (!row) return null;
    if (page === "board") {
      if (table === "logs") return { tbody: row.pending ? "pending-body" : "inhand-body", kind: "logs" };
      if (table === "units") return { tbody: "units-body", kind: "units" };
      if (table === "alerts" && row.level === "dispatcher") return { tbody: "alerts-body", kind: "alerts" };
      return null;
    }
    if (table === "logs") return row.breached_at ? { tbody: "breaches-body", kind: "breaches" } : null;
    if (table === "alerts") return { tbody: escalated(row) ? "escalations-body" : "alerts-body", kind: "alerts" };
    if (table === "diverts") return { tbody: "diverts-body", kind: "diverts" };
    return null;
  }

  // The server's orders: logs by rules.pending_order_key (least time to target, grade, risk, reference);
  // alerts by level (the duty inspector's first), then oldest; diverts by their deadline; units by callsign.
  function sortKey(table, row) {
    if (table === "logs") {
      return [row.target_at ? Date.parse(row.target_at) : Infinity, row.grade_rank || 99,
              -(row.flags || []).length - (row.diverted ? 1 : 0), row.reference];
    }
    if (table === "alerts") return [-cfg.chain.indexOf(row.level), row.created_at];
    if (table === "diverts") return [row.decide_by || "9999", row.at];
    return [row.callsign];
  }

  function compare(a, b) {
    for (var i = 0; i < a.length; i++) {
      if (a[i] < b[i]) return -1;
      if (a[i] > b[i]) return 1;
    }
    return 0;
  }

  function rowsOf(table, key) {
    return Array.prototype.slice.call(root.querySelectorAll("tr.wk-row[data-table=\"" + table + "\"]"))
      .filter(function (tr) { return tr.getAttribute("data-key") === String(key); });
  }

  function build(place, row) {
    var holder = document.createElement("tbody");
    holder.innerHTML = RENDER[place.kind](row);
    return holder.querySelector("tr");
  }

  function insertSorted(tbody, tr, key) {
    tr._wkSort = key;
    var rows = tbody.querySelectorAll("tr.wk-row");
    for (var i = 0; i < rows.length; i++) {
      if (rows[i]._wkSort && compare(key, rows[i]._wkSort) < 0) { tbody.insertBefore(tr, rows[i]); return; }
    }
    tbody.appendChild(tr);
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

  var held = {};  // rows waiting for the person to leave them: table|key -> true

  function redraw(table, key) {
    var row = board[table][key];
    var place = placeFor(table, row);
    var existing = rowsOf(table, key);
    var id = table + "|" + key;
    var following = follow[id] && follow[id] > Date.now();
    var mine = existing.filter(focusInside)[0];
    if (mine && !following) {
      if (busy(mine)) {  // never under someone's hands: redraw once they leave the row
        held[id] = true;
        mine.classList.add("wk-stale");
        return;
      }
      // In place: the row keeps its position (and focus) even if its order changed; it moves once left.
      var memo = focusMemo();
      if (!place) {
        held[id] = true;
        mine.classList.add("wk-stale");
        return;
      }
      var fresh = build(place, row);
      fresh._wkSort = sortKey(table, row);
      mine.replaceWith(fresh);
      restoreFocus(fresh, memo);
      markChanged(fresh);
      if (fresh.parentNode.id !== place.tbody) held[id] = true;
      existing.forEach(function (tr) { if (tr !== mine) tr.remove(); });
      tick();
      refreshEmpty();
      return;
    }
    var anchor = focusedRow();
    var top = anchor ? anchor.getBoundingClientRect().top : 0;
    existing.forEach(function (tr) { tr.remove(); });
    delete held[id];
    var added = null;
    if (place) {
      var tbody = document.getElementById(place.tbody);
      if (tbody) {
        added = build(place, row);
        insertSorted(tbody, added, sortKey(table, row));
        markChanged(added);
      }
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
    if (added && !existing.length) announceNew(table, row);
  }

  function announceNew(table, row) {
    if (table === "logs" && page === "board" && row.pending) announce(row.reference + " is pending: no unit on it.");
    else if (table === "alerts") announce("Alert on " + row.reference + ": " + row.text);
    else if (table === "diverts") announce("Divert of " + row.unit + " from " + row.from + " awaits a decision.");
    else if (table === "logs" && page === "command") announce(row.reference + ": response target breached.");
  }

  // Leaving a held row lets it take its new content and place.
  document.addEventListener("focusout", function (ev) {
    var tr = ev.target.closest ? ev.target.closest("tr.wk-row") : null;
    if (!tr || (ev.relatedTarget && tr.contains(ev.relatedTarget))) return;
    var id = tr.getAttribute("data-table") + "|" + tr.getAttribute("data-key");
    if (!held[id]) return;
    window.setTimeout(function () {
      if (tr.contains(document.activeElement)) return;
      redraw(tr.getAttribute("data-table"), tr.getAttribute("data-key"));
    }, 0);
  });

  function refreshRefs() {
    var list = document.getElementById("board-refs");
    if (!list) return;
    var refs = Object.keys(board.logs).sort();
    var now = Array.prototype.map.call(list.options, function (o) { return o.value; }).join(",");
    if (now === refs.join(",")) return;
    list.innerHTML = refs.map(function (r) { return '<option value="' + esc(r) + '"></option>'; }).join("");
  }

  // A unit chooser lists the units as they are when it is opened (units change on their own rows).
  document.addEventListener("focusin", function (ev) {
    var sel = ev.target;
    if (!sel.matches || !sel.matches("select[data-act=assign]")) return;
    var tr = sel.closest("tr.wk-row");
    var row = tr && board.logs[tr.getAttribute("data-key")];
    if (!row) return;
    var chosen = sel.value;
    var html = '<option value="">Unit…</option>' + unitChoices(row);
    if (sel._wkOptions !== html) {
      sel.innerHTML = html;
      sel._wkOptions = html;
      sel.value = chosen;
    }
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

  // ------------------------------------------------------------------------------ the stream
  var since = cfg.seq;
  var conn = document.getElementById("board-conn");

  function status(text) {
    if (conn && conn.textContent !== text) conn.textContent = text;
  }

  function connect() {
    var es = new EventSource("/events/stream?topics=dispatch&since=" + since);
    es.onopen = function () { status("Live"); };
    es.onerror = function () {
      status(es.readyState === EventSource.CLOSED ? "Live updates stopped: reload the page" : "Live updates: reconnecting…");
    };
    es.addEventListener("row", function (ev) {
      since = Number(ev.lastEventId) || since;  // a reconnection resumes after it (Last-Event-ID)
      var payload = JSON.parse(ev.data);
      if (!apply(payload)) return;
      redraw(payload.table, payload.key);
      if (payload.table === "logs") refreshRefs();
      if (payload.table === "diverts") {
        // An alert about a divert links to it only while the divert waits for a decision.
        Object.keys(board.alerts).forEach(function (k) {
          if (String(board.alerts[k].divert) === String(payload.key)) redraw("alerts", k);
        });
      }
      root.setAttribute("data-seq", String(since));
    });
  }

  // The server's rows carry their order; the script keeps it from here on.
  function adopt() {
    rows().forEach(function (tr) {
      var table = tr.getAttribute("data-table");
      var row = board[table] && board[table][tr.getAttribute("data-key")];
      if (row) tr._wkSort = sortKey(table, row);
    });
  }

  // For checks that the script draws rows exactly as the server does.
  window.WatchkeeperBoard = {
    state: board,
    redrawAll: function () {
      rows().forEach(function (tr) {
        var table = tr.getAttribute("data-table");
        var row = board[table][tr.getAttribute("data-key")];
        var place = placeFor(table, row);
        var fresh = build(place, row);
        fresh._wkSort = tr._wkSort;
        tr.replaceWith(fresh);
      });
      tick();
    }
  };

  adopt();
  tick();
  window.setInterval(tick, 1000);
  connect();
  root.setAttribute("data-seq", String(since));
})();
