// The tree picker (core.widgets.SearchSelect, core.picking) and the new-member form's ID number: what the templates
// would otherwise do inline (the Content-Security-Policy allows no inline script). Everything hangs off classes and
// data- attributes and works on content htmx swaps in.
(function () {
  "use strict";

  function pickerOf(el) { return el && el.closest ? el.closest(".sqdj-picker") : null; }
  function boxOf(picker) { return picker.querySelector("input[type=search]"); }
  function resultsOf(picker) { return picker.querySelector(".sqdj-picker-results"); }

  function closeResults(picker) {
    resultsOf(picker).innerHTML = "";
    boxOf(picker).setAttribute("aria-expanded", "false");
  }

  // A result chosen: the hidden input gets its pk or its code (data-value-field), the box its label.
  function choose(item) {
    var picker = pickerOf(item);
    if (!picker) return;
    var hidden = picker.querySelector("input[type=hidden]");
    hidden.value = picker.dataset.valueField === "code" ? item.dataset.code : item.dataset.value;
    var box = boxOf(picker);
    box.value = item.dataset.label;
    closeResults(picker);
    hidden.dispatchEvent(new Event("change", { bubbles: true }));
    box.focus();
  }

  function setExpanded(button, open) {
    var list = button.closest("li").querySelector(":scope > ul");
    if (list) list.hidden = !open;
    button.setAttribute("aria-expanded", open ? "true" : "false");
    var icon = button.querySelector(".bi");
    if (icon) {
      icon.classList.toggle("bi-plus-square", !open);
      icon.classList.toggle("bi-dash-square", open);
    }
  }

  // The first click loads the children (htmx, "click once"); later clicks fold and unfold them.
  function toggle(button) {
    if (!button.dataset.loaded) {
      button.dataset.loaded = "1";
      setExpanded(button, true);
      return;
    }
    setExpanded(button, button.getAttribute("aria-expanded") !== "true");
  }

  // A result is taken in the capture phase, before sqdj.js's older handler of `.sqdj-pick` (which knows only pks)
  // would empty the results under it.
  document.addEventListener("click", function (e) {
    var item = e.target.closest && e.target.closest(".sqdj-pick-item");
    if (item && pickerOf(item)) {
      e.stopPropagation();
      choose(item);
    }
  }, true);
  document.addEventListener("click", function (e) {
    var expand = e.target.closest && e.target.closest(".sqdj-pick-expand");
    if (expand) toggle(expand);
  });

  // Typing again clears the value: the box never shows one thing while the form sends another.
  document.addEventListener("input", function (e) {
    var picker = e.target.type === "search" && pickerOf(e.target);
    if (picker) picker.querySelector("input[type=hidden]").value = "";
  });

  document.addEventListener("htmx:afterSwap", function (e) {
    var picker = pickerOf(e.target);
    if (picker && e.target.classList.contains("sqdj-picker-results")) {
      boxOf(picker).setAttribute("aria-expanded", e.target.querySelector("li") ? "true" : "false");
    }
  });

  // Keyboard: ↓ from the box into the results (or opens the tree), ↑/↓ between them, → unfolds a node, ← folds it
  // or goes up to its parent, Enter in the box takes the first result, Esc goes back to the box.
  function focusables(picker) {
    return Array.prototype.filter.call(
      resultsOf(picker).querySelectorAll(".sqdj-pick-item, .sqdj-pick-expand"),
      function (el) { return el.offsetParent !== null; }
    );
  }

  document.addEventListener("keydown", function (e) {
    var picker = pickerOf(e.target);
    if (!picker) return;
    var box = boxOf(picker);
    var list = focusables(picker);
    if (e.target === box) {
      if (e.key === "ArrowDown") {
        e.preventDefault();
        if (list.length) list[0].focus();
        else {
          var browse = picker.querySelector(".sqdj-pick-browse");
          if (browse) browse.click();
        }
      } else if (e.key === "Enter") {
        e.preventDefault(); // never submits (and saves) the form
        var first = resultsOf(picker).querySelector(".sqdj-pick-item");
        if (first) choose(first);
      } else if (e.key === "Escape") {
        closeResults(picker);
      }
      return;
    }
    if (!resultsOf(picker).contains(e.target)) return;
    var i = list.indexOf(e.target);
    var row = e.target.closest("li");
    var expand = row && row.querySelector(":scope > div .sqdj-pick-expand");
    // Enter on a result or a fold button acts as a click (sqdj.js stops Enter inside a picker from submitting)
    if (e.key === "Enter" && i >= 0) { e.preventDefault(); e.target.click(); }
    else if (e.key === "ArrowDown" && i >= 0 && i < list.length - 1) { e.preventDefault(); list[i + 1].focus(); }
    else if (e.key === "ArrowUp") { e.preventDefault(); (i > 0 ? list[i - 1] : box).focus(); }
    else if (e.key === "ArrowRight" && expand && expand.getAttribute("aria-expanded") !== "true") {
      e.preventDefault();
      expand.click();
    } else if (e.key === "ArrowLeft") {
      e.preventDefault();
      if (expand && expand.getAttribute("aria-expanded") === "true") setExpanded(expand, false);
      else {
        var up = row && row.parentElement.closest("li");
        var target = up && up.querySelector(":scope > div .sqdj-pick-item, :scope > div .sqdj-pick-expand");
        if (target) target.focus();
      }
    } else if (e.key === "Escape") { e.preventDefault(); closeResults(picker); box.focus(); }
  });

  // ---- Never ask twice: the birth date and the sex from the ID number (GB 11643), as it is typed ----------------
  // The server does the same when they are left empty (members.forms.MemberForm). A value filled here is replaced
  // when the number changes; one the user typed is left alone.
  var WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  var CHECK = "10X98765432";

  function decode(value) {
    var n = value.trim().toUpperCase();
    if (!/^\d{17}[\dX]$/.test(n)) return null;
    var sum = 0;
    for (var k = 0; k < 17; k++) sum += parseInt(n[k], 10) * WEIGHTS[k];
    if (CHECK[sum % 11] !== n[17]) return null;
    var y = +n.slice(6, 10), m = +n.slice(10, 12), d = +n.slice(12, 14);
    var date = new Date(Date.UTC(y, m - 1, d));
    if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
    return { birth: n.slice(6, 10) + "-" + n.slice(10, 12) + "-" + n.slice(12, 14), male: parseInt(n[16], 10) % 2 === 1 };
  }

  function fill(target, value) {
    if (!target) return;
    if (target.value && target.value !== target.dataset.sqdjFilled) return; // typed by the user
    target.value = value;
    target.dataset.sqdjFilled = value;
    target.dispatchEvent(new Event("change", { bubbles: true }));
  }

  document.addEventListener("input", function (e) {
    var el = e.target;
    if (!el.dataset || !el.hasAttribute("data-sqdj-idnumber")) return;
    var found = decode(el.value);
    if (!found) return;
    fill(document.getElementById(el.dataset.birthTarget), found.birth);
    var sex = document.getElementById(el.dataset.sexTarget);
    if (sex) fill(sex, found.male ? sex.dataset.male || "male" : sex.dataset.female || "female");
  });
})();
