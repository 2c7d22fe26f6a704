// Pages fetch their data from the JSON API, like a typical single-page-ish app.
(function () {
  "use strict";

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function loadProjects(list, query) {
    fetch("/api/projects?q=" + encodeURIComponent(query || ""))
      .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
      .then(function (data) {
        list.textContent = "";
        if (!data.projects.length) { list.appendChild(el("li", {"class": "empty"}, "No projects found.")); }
        data.projects.forEach(function (p) {
          var row = el("li", {"class": "project-row", "data-testid": list.dataset.rowTestid});
          row.appendChild(el("a", {"href": "/projects/" + p.id}, p.name));
          row.appendChild(el("span", {"class": "count"}, p.task_count + " tasks"));
          list.appendChild(row);
        });
      })
      .catch(function (e) { list.textContent = "Could not load projects: " + e.message; });
  }

  function loadTasks(list) {
    fetch("/api/projects/" + list.dataset.project + "/tasks")
      .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
      .then(function (data) {
        list.textContent = "";
        if (!data.tasks.length) { list.appendChild(el("li", {"class": "empty"}, "No tasks yet.")); }
        data.tasks.forEach(function (t) {
          var item = el("li", {"class": "task-item" + (t.done ? " done" : "")});
          var box = el("input", {"type": "checkbox", "id": "task-" + t.id});
          box.checked = t.done;
          box.addEventListener("change", function () {
            fetch("/api/tasks/" + t.id, {method: "PATCH", headers: {"Content-Type": "application/json"},
                                         body: JSON.stringify({done: box.checked})})
              .then(function (r) { return r.json(); })
              .then(function (saved) { item.classList.toggle("done", saved.done); });
          });
          item.appendChild(box);
          item.appendChild(el("label", {"for": "task-" + t.id}, t.title));
          list.appendChild(item);
        });
      })
      .catch(function (e) { list.textContent = "Could not load tasks: " + e.message; });
  }

  var projects = document.getElementById("project-list");
  if (projects) {
    loadProjects(projects, "");
    var search = document.getElementById("project-search");
    search.addEventListener("input", function () { loadProjects(projects, search.value); });
  }
  var tasks = document.getElementById("task-list");
  if (tasks) { loadTasks(tasks); }
}());
