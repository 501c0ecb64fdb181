/* Behaviour that would otherwise be inline script (the Content-Security-Policy allows none). */
document.querySelectorAll("select[data-autosubmit]").forEach(function (el) {
  el.addEventListener("change", function () { el.form.submit(); });
});
