// The index's filter: runs.js holds one row per kept run; choosing a branch, an error type or
// part of a failed test's id lists every matching run in the table. Without script the page
// shows the latest runs and the form stays hidden. Data only ever goes in as text.
(function () {
  "use strict";
  var rows = window.agentEngineRuns || [];
  var form = document.getElementById("filter");
  var body = document.querySelector("table.runs tbody");
  if (!form || !body || !rows.length) return;
  form.hidden = false;
  var latest = Array.prototype.slice.call(body.children);
  var count = document.getElementById("filter-count");
  var LIMIT = 500;

  function cell(tr, text, tag, cls) {
    var td = document.createElement("td");
    var inner = tag ? document.createElement(tag) : td;
    if (cls) inner.className = cls;
    inner.textContent = text;
    if (tag) td.appendChild(inner);
    tr.appendChild(td);
    return td;
  }

  function badge(tr, text, cls) {
    if (!text) return cell(tr, "—", "span", "muted");
    return cell(tr, text.replace(/_/g, " "), "span", "badge " + cls);
  }

  function row(r) {
    var tr = document.createElement("tr");
    var td = document.createElement("td");
    var a = document.createElement("a");
    a.href = "runs/" + encodeURIComponent(r[0]) + ".html";
    a.textContent = r[1] + (r[2] > 1 ? " (attempt " + r[2] + ")" : "") + " · " + r[3];
    td.appendChild(a);
    tr.appendChild(td);
    badge(tr, r[5] === "success" ? "passed" : "failed", r[5]);
    cell(tr, r[4] || "—");
    cell(tr, r[10] || "—", "code");
    cell(tr, r[6] || "—");
    cell(tr, r[6] ? Math.round(r[7] * 100) + "%" : "—");
    badge(tr, r[11], "heal-" + r[11]);
    badge(tr, r[12], "fix-" + r[12]);
    cell(tr, r[8]);
    return tr;
  }

  function apply() {
    var branch = form.elements.branch.value;
    var type = form.elements.type.value;
    var test = form.elements.test.value.trim().toLowerCase();
    body.textContent = "";
    if (!branch && !type && !test) {
      latest.forEach(function (tr) { body.appendChild(tr); });
      count.textContent = "";
      return;
    }
    var shown = rows.filter(function (r) {
      return (!branch || r[4] === branch) && (!type || r[6] === type) &&
        (!test || r[9].some(function (t) { return t.toLowerCase().indexOf(test) >= 0; }));
    });
    shown.slice(0, LIMIT).forEach(function (r) { body.appendChild(row(r)); });
    count.textContent = shown.length + " of " + rows.length + " runs match" +
      (shown.length > LIMIT ? " (the first " + LIMIT + " are listed)" : "");
  }

  form.addEventListener("input", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
})();
