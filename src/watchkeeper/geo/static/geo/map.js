/* The map (Leaflet): open logs by grade with officer-safety markers, units by status with when they last reported
   where they were. The basemap is the tile source configured for the force, or with none the force's own streets and
   boundaries from GeoJSON shipped with the product (no network needed). Everything shown is built with textContent:
   nothing from the data is ever read as HTML. Refreshed every 15 seconds. */
(function () {
  "use strict";
  var REFRESH_MS = 15000;
  var STALE_SECONDS = 15 * 60;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function basemap(map, node) {
    if (node.dataset.tiles) {
      L.tileLayer(node.dataset.tiles, {maxZoom: 19, attribution: node.dataset.attribution || ""}).addTo(map);
      return;
    }
    map.attributionControl.addAttribution("Streets and boundaries: the force's own map (offline)");
    fetch(node.dataset.basemap, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (g) {
      L.geoJSON(g, {
        interactive: false,
        style: function (f) {
          var boundary = f.properties && f.properties.kind === "boundary";
          return boundary ? {className: "wk-boundary", weight: 2, dashArray: "6 4", fill: true, fillOpacity: 0.03}
                          : {className: "wk-street", weight: 4};
        }
      }).addTo(map);
      if (!node.dataset.focus && !node._fitted) map.fitBounds(L.geoJSON(g).getBounds());
      node.dataset.basemapDrawn = "1";
    });
  }

  function logMarker(log, focus) {
    var span = el("span", null, (log.grade_label || "Ungraded").split(" ")[0] + " " + log.reference.slice(-4));
    if (log.safety.length || log.flags.length) span.textContent += " ⚠";
    var icon = L.divIcon({className: "wk-pin g-" + (log.grade || "none") + (focus ? " focus" : ""), html: span,
                          iconSize: null, iconAnchor: [0, 0]});
    var title = log.reference + " · " + log.grade_label + " · " + log.summary +
      (log.safety.length ? " · Officer safety: " + log.safety.join(", ") : "");
    // Markers take the mouse; from the keyboard and for screen readers the same logs and units are the list
    // below the map (links), so markers that sit close together never hide one another from anyone.
    var m = L.marker([log.lat, log.lon], {icon: icon, title: title, keyboard: false, riseOnHover: true,
                                          zIndexOffset: focus ? 1000 : 0});
    m.on("add", function () { var e = m.getElement(); if (e) { e.dataset.ref = log.reference; } });
    var pop = el("div", "map-pop");
    var a = el("a", null, log.reference);
    a.href = log.url;
    pop.appendChild(a);
    pop.appendChild(el("div", null, log.grade_label + " · " + log.summary));
    if (log.location) pop.appendChild(el("div", null, log.location));
    if (log.safety.length) pop.appendChild(el("div", "map-safety", "Officer safety: " + log.safety.join("; ")));
    if (log.flags.length) pop.appendChild(el("div", null, "Markers: " + log.flags.join(", ")));
    m.bindPopup(pop);
    return m;
  }

  function unitMarker(u) {
    var stale = u.age_seconds !== null && u.age_seconds > STALE_SECONDS;
    var span = el("span", null, u.callsign + " · " + u.status_label);
    var icon = L.divIcon({className: "wk-unit s-" + u.status + (stale ? " stale" : ""), html: span, iconSize: null,
                          iconAnchor: [0, 0]});
    var title = u.callsign + " · " + u.status_label + " · position " + u.last_seen +
      (u.skills.length ? " · " + u.skills.join(", ") : "");
    var m = L.marker([u.lat, u.lon], {icon: icon, title: title, keyboard: false});
    m.on("add", function () { var e = m.getElement(); if (e) { e.dataset.callsign = u.callsign; } });
    m.bindPopup(el("div", "map-pop", title));
    return m;
  }

  function list(node, data) {
    var box = node.parentNode.querySelector("[data-map-list]");
    if (!box) return;
    box.textContent = "";
    var t = el("table");
    var head = el("tr");
    ["What", "Grade or status", "Where", "Last seen"].forEach(function (h) { var th = el("th", null, h); th.scope = "col"; head.appendChild(th); });
    t.appendChild(head);
    data.logs.forEach(function (l) {
      var tr = el("tr");
      var td = el("td"); var a = el("a", null, l.reference); a.href = l.url; td.appendChild(a); tr.appendChild(td);
      tr.appendChild(el("td", null, l.grade_label + (l.safety.length ? " · ⚠ " + l.safety.join(", ") : "")));
      tr.appendChild(el("td", null, (l.location || "—") + (l.lat === null ? " (not on the map)" : "")));
      tr.appendChild(el("td", null, ""));
      t.appendChild(tr);
    });
    data.units.forEach(function (u) {
      var tr = el("tr");
      tr.appendChild(el("td", null, u.callsign));
      tr.appendChild(el("td", null, u.status_label));
      tr.appendChild(el("td", null, u.lat === null ? "no position" : u.lat.toFixed(4) + ", " + u.lon.toFixed(4)));
      tr.appendChild(el("td", null, u.last_seen));
      t.appendChild(tr);
    });
    box.appendChild(t);
  }

  function init(node) {
    if (typeof L === "undefined" || node._map) return;
    var map = L.map(node, {keyboard: true, zoomSnap: 0.5}).setView([50.2840, -3.7770], 14);
    node._map = map;
    basemap(map, node);
    var layer = L.layerGroup().addTo(map);
    var focus = node.dataset.focus || "";
    function draw(data) {
      layer.clearLayers();
      var placed = [];
      data.units.forEach(function (u) { if (u.lat !== null) { layer.addLayer(unitMarker(u)); placed.push([u.lat, u.lon]); } });
      data.logs.forEach(function (l) {
        if (l.lat === null) return;
        layer.addLayer(logMarker(l, l.reference === focus));
        placed.push([l.lat, l.lon]);
        if (l.reference === focus && !node._fitted) { map.setView([l.lat, l.lon], 15); node._fitted = true; }
      });
      if (!focus && !node._fitted && placed.length) { map.fitBounds(placed, {padding: [30, 30], maxZoom: 15}); node._fitted = true; }
      list(node, data);
      node.dataset.loaded = String(Date.now());
    }
    function load() {
      fetch(node.dataset.source, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) { if (data) draw(data); })
        .catch(function () { /* the next refresh tries again */ });
    }
    load();
    setInterval(load, REFRESH_MS);
  }

  function start() { document.querySelectorAll("[data-map]").forEach(init); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
