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

  // Enter inside a picker (core.widgets.SearchSelect, picker.js) searches or picks: it must not submit the form
  document.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && e.target.closest && e.target.closest(".sqdj-picker")) e.preventDefault();
  });

})();

// htmx errors (issue 14): every 4xx/5xx answer is shown where the user acted, never nothing. A view that answers a
// form's fragment with its messages (4xx, HTML, not a whole page: the reveal reason's 400) is swapped in as a 2xx
// would be; any other answer — the short text/plain sentence core.error_pages gives htmx, an API's {"detail": …},
// a whole page — becomes a message in the form's [data-sqdj-errors] area, or a toast.
(function () {
  "use strict";

  function fallback(status) {
    var box = document.getElementById("sqdj-toasts");
    var d = box ? box.dataset : {};
    if (status === 0) return d.network;
    if (status === 403) return d.forbidden;
    if (status === 404) return d.notFound;
    if (status === 503) return d.busy;
    if (status >= 500) return d.server;
    return d.badRequest;
  }

  function messageOf(xhr) {
    var type = (xhr.getResponseHeader("Content-Type") || "").toLowerCase();
    var body = (xhr.responseText || "").trim();
    if (type.indexOf("text/plain") === 0 && body && body.length < 500) return body;
    if (type.indexOf("json") >= 0) {
      try {
        var data = JSON.parse(body);
        if (data && typeof data.detail === "string") return data.detail;
      } catch (ignored) { /* not JSON after all */ }
    }
    if (type.indexOf("text/html") === 0 && body) {
      var el = new DOMParser().parseFromString(body, "text/html").querySelector("[data-sqdj-message]");
      if (el && el.textContent.trim()) return el.textContent.trim();
    }
    return fallback(xhr.status) || String(xhr.status);
  }

  function toast(message) {
    var box = document.getElementById("sqdj-toasts");
    if (!box) { window.alert(message); return; }
    var t = document.createElement("div");
    t.className = "toast align-items-center text-bg-danger border-0 sqdj-error-toast";
    t.setAttribute("role", "alert");
    t.setAttribute("aria-atomic", "true");
    var row = document.createElement("div");
    row.className = "d-flex";
    var text = document.createElement("div");
    text.className = "toast-body";
    text.textContent = message;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close btn-close-white me-2 m-auto";
    close.setAttribute("data-bs-dismiss", "toast");
    close.setAttribute("aria-label", box.dataset.close || "×");
    row.appendChild(text);
    row.appendChild(close);
    t.appendChild(row);
    box.appendChild(t);
    if (window.bootstrap && window.bootstrap.Toast) {
      t.addEventListener("hidden.bs.toast", function () { t.remove(); });
      window.bootstrap.Toast.getOrCreateInstance(t, { delay: 10000 }).show();
    } else {
      t.classList.add("show");
    }
  }

  function show(elt, message) {
    var form = elt && elt.closest ? elt.closest("form") : null;
    var area = form ? form.querySelector("[data-sqdj-errors]") : null;
    if (area) {
      area.textContent = message;
      area.hidden = false;
      area.classList.remove("d-none");
      area.setAttribute("role", "alert");
    } else {
      toast(message);
    }
  }

  function isFragment(xhr) {
    var type = (xhr.getResponseHeader("Content-Type") || "").toLowerCase();
    var body = xhr.responseText || "";
    return type.indexOf("text/html") === 0 && body.trim() !== "" && !/^\s*(<!doctype|<html)/i.test(body);
  }

  document.addEventListener("htmx:beforeSwap", function (e) {
    var xhr = e.detail.xhr;
    if (!xhr || xhr.status < 400) return;
    if (xhr.status < 500 && isFragment(xhr)) {
      e.detail.shouldSwap = true;  // the view's own answer, with its messages, where the form was
      e.detail.isError = false;
      return;
    }
    e.detail.shouldSwap = false;
    show(e.detail.elt || (e.detail.requestConfig && e.detail.requestConfig.elt) || e.target, messageOf(xhr));
  });
  document.addEventListener("htmx:sendError", function (e) { show(e.detail.elt || e.target, fallback(0)); });
  document.addEventListener("htmx:timeout", function (e) { show(e.detail.elt || e.target, fallback(0)); });
  // a new try clears the form's old message
  document.addEventListener("htmx:beforeRequest", function (e) {
    var form = e.target && e.target.closest ? e.target.closest("form") : null;
    var area = form ? form.querySelector("[data-sqdj-errors]") : null;
    if (area) { area.textContent = ""; area.classList.add("d-none"); }
  });

  // the error pages' "back": the browser's history when there is one (the link's href is the page's referrer)
  document.addEventListener("click", function (e) {
    var back = e.target.closest && e.target.closest("[data-sqdj-back]");
    if (back && window.history.length > 1) { e.preventDefault(); window.history.back(); }
  });
})();
