// The 大字 (large text) toggle, remembered per browser; applied before first paint.
(function () {
  var KEY = "sqdj-large-text";
  if (localStorage.getItem(KEY) === "1") document.documentElement.classList.add("sqdj-large");
  document.addEventListener("DOMContentLoaded", function () {
    var btn = document.getElementById("sqdj-large-text");
    if (!btn) return;
    var on = document.documentElement.classList.contains("sqdj-large");
    btn.setAttribute("aria-pressed", on ? "true" : "false");
    btn.addEventListener("click", function () {
      on = document.documentElement.classList.toggle("sqdj-large");
      localStorage.setItem(KEY, on ? "1" : "0");
      btn.setAttribute("aria-pressed", on ? "true" : "false");
    });
  });
})();

// What the templates would otherwise do inline. The Content-Security-Policy (settings.py) allows scripts from files
// of this site only: no inline <script>, no on…= attribute, no eval (so no Alpine.js and no hx-on). Everything here
// hangs off ids, classes and data- attributes, and works again on content htmx swaps in.
(function () {
  "use strict";

  // Lengths a template computes (progress bars, the rulebook's version timeline) come as data- attributes: a
  // style="…" attribute is inline style, which the policy refuses; a style set from a script file is allowed.
  function applyLengths(root) {
    root.querySelectorAll("[data-sqdj-width]").forEach(function (el) { el.style.width = el.dataset.sqdjWidth + "%"; });
    root.querySelectorAll("[data-sqdj-left]").forEach(function (el) { el.style.left = el.dataset.sqdjLeft + "%"; });
  }

  // Filter forms: Bootstrap's classes on the widgets the filtersets render bare.
  function styleFilters(root) {
    root.querySelectorAll("#filters input, #filters select").forEach(function (el) {
      if (el.type === "hidden") return;
      if (el.type === "checkbox" || el.type === "radio") el.classList.add("form-check-input");
      else el.classList.add(el.tagName === "SELECT" ? "form-select" : "form-control");
    });
  }

  function setUp(root) {
    applyLengths(root);
    styleFilters(root);
  }

  document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  document.addEventListener("htmx:load", function (e) { if (e.target && e.target.querySelectorAll) setUp(e.target); });

  // An htmx button marked data-sqdj-remove-after-request removes itself once answered (the org tree's "Expand").
  document.addEventListener("htmx:afterRequest", function (e) {
    var el = e.detail && e.detail.elt;
    if (el && el.hasAttribute && el.hasAttribute("data-sqdj-remove-after-request") && e.detail.successful) el.remove();
  });

  // The org tree's search box: hide the entries that do not contain the text.
  document.addEventListener("input", function (e) {
    if (e.target.id !== "org-tree-filter") return;
    var q = e.target.value.trim();
    document.querySelectorAll("#org-tree li").forEach(function (li) {
      li.hidden = !!q && li.textContent.indexOf(q) < 0;
    });
  });

  // A form marked data-sqdj-busy (the import upload) disables its button and shows its .sqdj-busy note once sent.
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.hasAttribute || !form.hasAttribute("data-sqdj-busy")) return;
    form.querySelectorAll("button[type=submit]").forEach(function (b) { setTimeout(function () { b.disabled = true; }); });
    form.querySelectorAll(".sqdj-busy").forEach(function (el) { el.classList.remove("d-none"); });
  });

  // The transfer form's org picker: a result fills the receiving org's code; Enter in the search box searches and
  // must not submit (and save) the case.
  document.addEventListener("click", function (e) {
    var pick = e.target.closest && e.target.closest(".org-pick");
    if (!pick) return;
    var input = document.getElementById("id_to_org");
    if (!input) return;
    input.value = pick.dataset.code;
    var external = document.getElementById("id_external_org_name");
    if (external) external.value = "";
    var results = document.getElementById("org-results");
    if (results) results.innerHTML = "";
    input.focus();
  });
  document.addEventListener("keydown", function (e) {
    if (e.target.id === "org-search" && e.key === "Enter") e.preventDefault();
    if (e.key === "Enter" && e.target.closest && e.target.closest(".sqdj-picker")) e.preventDefault();
  });

  // The search picker (core.widgets.SearchSelect): a result sets the hidden value and shows its label; typing
  // again clears the value, so that the box never shows one thing while the form sends another.
  document.addEventListener("click", function (e) {
    var pick = e.target.closest && e.target.closest(".sqdj-pick");
    if (!pick) return;
    var picker = pick.closest(".sqdj-picker");
    if (!picker) return;
    picker.querySelector("input[type=hidden]").value = pick.dataset.value;
    var box = picker.querySelector("input[type=search]");
    box.value = pick.dataset.label;
    picker.querySelector(".sqdj-picker-results").innerHTML = "";
    box.focus();
  });
  document.addEventListener("input", function (e) {
    var picker = e.target.closest && e.target.type === "search" && e.target.closest(".sqdj-picker");
    if (picker) picker.querySelector("input[type=hidden]").value = "";
  });
})();
