// Lists (issue 14). Loaded on every page (base.html); hangs off classes only, no inline code (the CSP).
//
// 1. Multi-selects without Ctrl-click: every <select multiple data-sqdj-multiselect> (core.filtersets
//    MultiSelectWidget) becomes a button that opens a searchable list of checkboxes. The select stays in the form,
//    hidden, and is what gets submitted: the boxes only tick its options. Without this script it is a plain select.
// 2. List cells cut short by an ellipsis (sqdj.css, "Lists" block) show their whole text as a tooltip.
(function () {
  "use strict";

  var seq = 0;

  function summary(select) {
    var picked = Array.prototype.filter.call(select.options, function (o) { return o.selected; });
    if (!picked.length) return select.dataset.anyLabel || "—";
    return picked.map(function (o) { return o.text; }).join("、");
  }

  function enhance(select) {
    if (select.dataset.sqdjMs === "1") return;
    select.dataset.sqdjMs = "1";
    var id = "sqdj-ms-" + (++seq);

    var box = document.createElement("div");
    box.className = "sqdj-ms";

    var button = document.createElement("button");
    button.type = "button";
    button.className = "form-select sqdj-ms-toggle text-start";
    button.id = id + "-toggle";
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-controls", id + "-panel");

    var panel = document.createElement("div");
    panel.className = "sqdj-ms-panel";
    panel.id = id + "-panel";
    panel.hidden = true;

    var search = document.createElement("input");
    search.type = "search";
    search.className = "form-control form-control-sm mb-1 sqdj-ms-search";
    search.placeholder = select.dataset.searchLabel || "";
    search.setAttribute("aria-label", select.dataset.searchLabel || "");
    search.autocomplete = "off";
    panel.appendChild(search);

    var list = document.createElement("div");
    list.className = "sqdj-ms-options";
    panel.appendChild(list);

    Array.prototype.forEach.call(select.options, function (option, i) {
      var row = document.createElement("div");
      row.className = "form-check sqdj-ms-option";
      var box_ = document.createElement("input");
      box_.type = "checkbox";  // no name: only the hidden select is submitted
      box_.className = "form-check-input";
      box_.id = id + "-" + i;
      box_.checked = option.selected;
      box_.value = option.value;
      var label = document.createElement("label");
      label.className = "form-check-label";
      label.htmlFor = box_.id;
      label.textContent = option.text;
      box_.addEventListener("change", function () {
        option.selected = box_.checked;
        button.textContent = summary(select);
        select.dispatchEvent(new Event("change", { bubbles: true }));
      });
      row.appendChild(box_);
      row.appendChild(label);
      list.appendChild(row);
    });

    // the field's label names the button now (the select is hidden)
    if (select.id) {
      var fieldLabel = document.querySelector('label[for="' + select.id + '"]');
      if (fieldLabel) fieldLabel.htmlFor = button.id;
    }

    function open(yes) {
      panel.hidden = !yes;
      button.setAttribute("aria-expanded", yes ? "true" : "false");
      if (yes) search.focus();
    }

    button.textContent = summary(select);
    button.addEventListener("click", function () { open(panel.hidden); });
    search.addEventListener("input", function () {
      var words = search.value.trim().toLowerCase();
      list.querySelectorAll(".sqdj-ms-option").forEach(function (row) {
        row.hidden = words !== "" && row.textContent.toLowerCase().indexOf(words) === -1;
      });
    });
    search.addEventListener("keydown", function (e) {
      if (e.key === "Enter") e.preventDefault();  // Enter in the search box does not submit the filters
    });
    box.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && !panel.hidden) { open(false); button.focus(); }
    });
    document.addEventListener("click", function (e) {
      if (!panel.hidden && !box.contains(e.target)) open(false);
    });

    select.hidden = true;
    select.setAttribute("aria-hidden", "true");
    select.tabIndex = -1;
    select.parentNode.insertBefore(box, select);
    box.appendChild(button);
    box.appendChild(panel);
    box.appendChild(select);
  }

  function setUp(root) {
    root.querySelectorAll("select[data-sqdj-multiselect][multiple]").forEach(enhance);
  }

  // a cell cut short: its whole text as the tooltip (again when the sizes change: the window, 大字)
  function markCut(root) {
    root.querySelectorAll(".sqdj-list .sqdj-table td").forEach(function (cell) {
      if (cell.scrollWidth > cell.clientWidth) cell.title = cell.textContent.trim();
      else if (cell.dataset.sqdjCut !== undefined) cell.removeAttribute("title");
      if (cell.title) cell.dataset.sqdjCut = "";
    });
  }
  var pending = null;
  function markLater() {
    if (pending) clearTimeout(pending);
    pending = setTimeout(function () { pending = null; markCut(document); }, 150);
  }
  window.addEventListener("resize", markLater);
  document.addEventListener("click", function (e) {
    if (e.target.closest && e.target.closest("#sqdj-large-text")) markLater();
  });

  document.addEventListener("DOMContentLoaded", function () { setUp(document); markCut(document); });
  document.addEventListener("htmx:load", function (e) { setUp(e.target); markCut(e.target); });
})();
