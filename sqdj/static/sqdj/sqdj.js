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
