/* Behaviour that would otherwise be inline script (the Content-Security-Policy allows none). */
document.querySelectorAll("select[data-autosubmit]").forEach(function (el) {
  el.addEventListener("change", function () { el.form.submit(); });
});

/* A table's scroll region ({% tablescroll %}) is a tab stop only while there is something to scroll: the markup
   makes every region focusable (for a browser without this script); a table that fits drops the stop. */
(function () {
  function update(region) {
    var scrolls = getComputedStyle(region).overflowX !== "visible" && region.scrollWidth > region.clientWidth;
    if (scrolls) region.setAttribute("tabindex", "0");
    else region.removeAttribute("tabindex");
  }
  var regions = document.querySelectorAll(".table-scroll");
  regions.forEach(update);
  if (!window.ResizeObserver) return;
  var watch = new ResizeObserver(function (entries) {
    entries.forEach(function (entry) { update(entry.target.closest(".table-scroll")); });
  });
  regions.forEach(function (region) {
    watch.observe(region);
    if (region.firstElementChild) watch.observe(region.firstElementChild);
  });
})();
