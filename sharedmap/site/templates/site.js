/* The static map's browser side: search, service filter, the panel of a council or a partnership, the partners
   outlined, and the view in the URL (#council=E07000136&service=ICT). Every text from the data is written with
   textContent, never as HTML. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("site-config").textContent);
  var hooks = window.sharedmapMap, map = hooks.map;
  var panel = document.getElementById("panel"), message = document.getElementById("message");
  var serviceBox = document.getElementById("service"), searchBox = document.getElementById("search");
  var cache = {}, state = {council: "", partnership: "", service: ""};
  var areas = {}, lines = [];

  var points = {};  // members drawn as points (a county in the lower-tier map)
  hooks.councils.eachLayer(function (l) { areas[l.feature.properties.c] = l; });
  hooks.points.eachLayer(function (l) { points[l.feature.properties.c] = l.getLatLng(); });
  (function collect(group) {
    group.eachLayer(function (l) { if (l.eachLayer) { collect(l); } else if (l.feature && l.feature.properties.p) { lines.push(l); } });
  })(hooks.links);

  function el(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = text; }
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }
  function say(text) { if (message) { message.textContent = text; } }
  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }

  function load(code) {
    if (!cache[code]) {
      cache[code] = fetch(config.panels + encodeURIComponent(code) + ".json").then(function (r) {
        if (!r.ok) { throw new Error("no council " + code); }
        return r.json();
      });
      cache[code].catch(function () { delete cache[code]; });
    }
    return cache[code];
  }

  function wanted(p) { return !state.service || p.service_list.indexOf(state.service) >= 0; }

  var outlined = {selected: "", partners: []};
  function restyle(code) {  // the selection's outline, put back after the map's own hover style
    if (code === outlined.selected) { areas[code].setStyle({color: "#000000", weight: 4, fillColor: "#ffc20a"}); }
    else if (outlined.partners.indexOf(code) >= 0) { areas[code].setStyle({color: "#1a1a1a", weight: 2.5}); }
  }
  function highlight(selected, partners) {
    hooks.councils.resetStyle();
    outlined = {selected: selected, partners: partners};
    partners.concat(selected ? [selected] : []).forEach(function (c) {
      if (areas[c]) { restyle(c); areas[c].bringToFront(); }
    });
  }

  function fit(codes) {
    if (map._animatingZoom) {  // the opening view is still zooming in: its end would undo this jump
      map.once("zoomend", function () { fit(codes); });
      return;
    }
    var bounds = null;
    codes.forEach(function (c) {
      var where = areas[c] ? areas[c].getBounds() : points[c] ? L.latLngBounds(points[c], points[c]) : null;
      if (where) { bounds = bounds ? bounds.extend(where) : L.latLngBounds(where.getSouthWest(), where.getNorthEast()); }
    });
    if (bounds) {  // the page may have settled its layout since the map was made: measure again, then jump
      map.invalidateSize({pan: false});
      map.fitBounds(bounds, {padding: [20, 20], maxZoom: 9, animate: false});
    }
  }

  function facts(p, level) {
    var card = el("section", null, {"class": "card"});
    if (level) { card.appendChild(el(level, p.name)); }
    var dl = el("dl", null, {"class": "facts"});
    [["Partners", p.partners.join("; ")], ["Services", p.services], ["Status", p.status], ["Dates", p.dates]]
      .forEach(function (row) { dl.appendChild(el("dt", row[0])); dl.appendChild(el("dd", row[1])); });
    if (p.status_source) {
      dl.appendChild(el("dt", "Status evidence"));
      dl.appendChild(el("dd")).appendChild(el("a", p.status_source[0], {href: p.status_source[1], rel: "noopener noreferrer"}));
    }
    dl.appendChild(el("dt", "Last evidenced"));
    dl.appendChild(el("dd", p.freshness));
    dl.appendChild(el("dt", "Savings"));
    var savings = el("ul");
    p.savings.forEach(function (s) { savings.appendChild(el("li", s)); });
    dl.appendChild(el("dd")).appendChild(savings);
    if (p.sources.length) {
      dl.appendChild(el("dt", "Sources"));
      var sources = el("ul");
      p.sources.forEach(function (s) {
        var link = el("a", s[0], {href: s[1], rel: "noopener noreferrer"});
        sources.appendChild(el("li")).appendChild(link);
      });
      dl.appendChild(el("dd")).appendChild(sources);
    }
    if (p.left_out && p.left_out.length) {
      dl.appendChild(el("dt", "Left out"));
      dl.appendChild(el("dd", p.left_out.join("; ")));
    }
    card.appendChild(dl);
    if (config.report) {  // the app's report page, with this partnership filled in (SHAREDMAP_PUBLIC_URL)
      var report = config.report + "?partnership=" + encodeURIComponent(p.id);
      card.appendChild(el("p")).appendChild(el("a", config.reportLabel, {href: report, "class": "report", target: "_blank", rel: "noopener"}));
    }
    if (p.description) { card.appendChild(el("p", p.description)); }
    return card;
  }

  function embedCode(code) {
    var src = new URL("embed.html#council=" + encodeURIComponent(code), location.href).href;
    var snippet = '<iframe src="' + src + '" title="Shared services map" width="600" height="450" ' +
      'style="border:0" loading="lazy"></iframe>';
    var box = el("div", null, {"class": "embed-code"});
    box.appendChild(el("h3", "Embed this map"));
    box.appendChild(el("label", "Copy this into your website to show this council and its partners:", {"for": "embed-snippet"}));
    var area = el("textarea", null, {id: "embed-snippet", rows: "3", readonly: ""});
    area.value = snippet;
    box.appendChild(area);
    var copy = el("button", "Copy", {type: "button"});
    copy.addEventListener("click", function () {
      area.select();
      if (navigator.clipboard) { navigator.clipboard.writeText(snippet).then(function () { say("Embed code copied."); }); }
    });
    box.appendChild(copy);
    return box;
  }

  function showCouncil(doc) {
    var shown = doc.partnerships.filter(wanted), partners = [];
    shown.forEach(function (p) { p.codes.forEach(function (c) { if (partners.indexOf(c) < 0) { partners.push(c); } }); });
    highlight(doc.code, partners);
    if (!panel) { embedTitle(doc, shown.length); return partners; }
    panel.replaceChildren(el("h2", doc.name));
    var count = shown.length;
    var text = doc.kind.charAt(0).toUpperCase() + doc.kind.slice(1) + ". " + (count ?
      plural(count, "partnership") + (state.service ? " sharing " + state.service : "") + " on the map." :
      "No partnership " + (state.service ? "sharing " + state.service + " " : "") + "on the map.");
    panel.appendChild(el("p", text));
    var links = el("p");
    links.appendChild(el("a", "Page for " + doc.name, {href: "council/" + encodeURIComponent(doc.code) + ".html"}));
    panel.appendChild(links);
    shown.forEach(function (p) { panel.appendChild(facts(p, "h3")); });
    panel.appendChild(embedCode(doc.code));
    return partners;
  }

  function embedTitle(doc, count) {
    var link = document.getElementById("embed-link");
    link.textContent = doc.name + ": " +
      (count ? plural(count, "shared-service partnership") : "no shared-service partnership recorded") +
      ". Open the full map";
    link.href = "index.html#council=" + encodeURIComponent(doc.code);
  }

  function showPartnership(p) {
    highlight("", p.codes);
    if (!panel) { return; }
    panel.replaceChildren(el("h2", p.name));
    panel.appendChild(el("p", plural(p.codes.length, "member council") + " on the map."));
    panel.appendChild(facts(p, null));  // its name is the panel's heading
  }

  function writeHash() {
    var parts = [];
    if (state.council) { parts.push("council=" + encodeURIComponent(state.council)); }
    if (state.partnership) { parts.push("partnership=" + encodeURIComponent(state.partnership)); }
    if (state.service) { parts.push("service=" + encodeURIComponent(state.service)); }
    var hash = parts.length ? "#" + parts.join("&") : location.pathname + location.search;
    if (location.hash !== hash) { history.replaceState(null, "", parts.length ? hash : location.pathname + location.search); }
  }

  function selectCouncil(code, options) {
    options = options || {};
    state.council = code; state.partnership = "";
    writeHash();
    return load(code).then(function (doc) {
      if (state.council !== code) { return; }
      var partners = showCouncil(doc);
      say("");
      if (options.fit) { fit([code].concat(partners)); }
      if (options.focus && panel) { panel.focus(); }
    }, function () { say("No council with the code " + code + " is on this map."); });
  }

  function selectPartnership(pid, member, options) {
    state.council = ""; state.partnership = pid;
    writeHash();
    return load(member).then(function (doc) {
      var found = doc.partnerships.filter(function (p) { return p.id === pid; })[0];
      if (!found) { say("That partnership is not on this map."); return; }
      showPartnership(found);
      if (options && options.fit) { fit(found.codes); }
    });
  }

  function filterLines() {
    lines.forEach(function (l) {
      var show = !state.service || (l.feature.properties.s || []).indexOf(state.service) >= 0;
      l.setStyle({opacity: show ? 0.95 : 0.08});
    });
  }

  hooks.councils.eachLayer(function (l) {
    var code = l.feature.properties.c;
    l.on("mouseover", function () { load(code); });  // the panel is ready by the time of the click
    l.on("click", function () { selectCouncil(code); });
    l.on("mouseout", function () { restyle(code); });
  });
  hooks.points.eachLayer(function (l) { l.on("click", function () { selectCouncil(l.feature.properties.c); }); });
  lines.forEach(function (l) {
    var props = l.feature.properties;
    if (props.m) { l.on("click", function (e) { L.DomEvent.stopPropagation(e); selectPartnership(props.p, props.m); }); }
  });

  var names = {}, titles = [], nameList = document.getElementById("council-names");
  [hooks.councils, hooks.points].forEach(function (group) {  // the search's names: the map's tooltip titles
    group.eachLayer(function (l) {
      var props = l.feature.properties;
      names[props.t[0].toLowerCase()] = props.c;
      titles.push(props.t[0]);
    });
  });
  if (nameList) {
    titles.sort(function (a, b) { return a.localeCompare(b, "en-GB"); }).forEach(function (title) {
      nameList.appendChild(el("option", null, {value: title}));
    });
  }
  function searchKey(text) {  // as sharedmap.site.build.search_key: case, accents, "&" and punctuation folded
    return text.replace(/&/g, " and ").normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[^a-z0-9]+/g, " ").trim();
  }
  var spellings = null;  // every spelling, former name and code the register knows: fetched on the first search
  function allNames() {
    if (!spellings) {
      spellings = fetch(config.names).then(function (r) { return r.ok ? r.json() : {}; }).catch(function () { return {}; });
    }
    return spellings;
  }
  function find(text) {
    var key = text.trim().toLowerCase();
    if (!key) { return Promise.resolve(null); }
    if (names[key]) { return Promise.resolve(names[key]); }
    return allNames().then(function (index) {
      var folded = searchKey(text);
      if (index[folded]) { return index[folded]; }
      var keys = Object.keys(names).filter(function (n) { return n.indexOf(key) >= 0; });
      return keys.length ? names[keys.sort(function (a, b) { return a.indexOf(key) - b.indexOf(key) || a.length - b.length; })[0]] : null;
    });
  }
  var form = document.getElementById("search-form");
  if (form) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      find(searchBox.value).then(function (code) {
        if (code) { selectCouncil(code, {fit: true, focus: true}); } else { say("No council called \u201c" + searchBox.value + "\u201d is on this map."); }
      });
    });
  }
  if (serviceBox) {
    serviceBox.addEventListener("change", function () {
      state.service = serviceBox.value;
      filterLines();
      writeHash();
      if (state.council) { selectCouncil(state.council); }
    });
  }

  function readHash() {
    var params = new URLSearchParams(location.hash.slice(1));
    state.service = params.get("service") || "";
    if (serviceBox) { serviceBox.value = state.service; if (serviceBox.value !== state.service) { state.service = ""; } }
    filterLines();
    var council = params.get("council"), partnership = params.get("partnership");
    if (council) {
      var code = areas[council] || /^[A-Z]\d{8}$/.test(council) ? council : find(council);
      if (code) { selectCouncil(code, {fit: true}); } else { say("No council called \u201c" + council + "\u201d is on this map."); }
    } else if (partnership) {
      var line = lines.filter(function (l) { return l.feature.properties.p === partnership; })[0];
      if (line) { selectPartnership(partnership, line.feature.properties.m, {fit: true}); }
    }
  }
  if (config.mode === "embed") {  // a council's website gives the map little room: the key starts folded
    document.querySelectorAll(".sm-legend details").forEach(function (d) { d.removeAttribute("open"); });
  }
  window.addEventListener("hashchange", readHash);
  readHash();
  window.sharedmapSite = {selectCouncil: selectCouncil, state: state};
})();
