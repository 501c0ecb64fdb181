/* Poll each report file still being generated and update its row; reload once it is ready or failed. */
(function () {
  var rows = document.querySelectorAll("[data-file-status]");
  rows.forEach(function (row) {
    var state = row.dataset.fileState;
    if (state !== "queued" && state !== "running") return;
    var bar = row.querySelector("progress"), label = row.querySelector(".file-state");
    var failures = 0;
    var timer = setInterval(function () {
      fetch(row.dataset.fileStatus, {credentials: "same-origin"}).then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.json();
      }).then(function (s) {
        failures = 0;
        bar.value = s.progress;
        label.textContent = s.state_label + (s.step && s.state !== "done" ? " · " + s.step : "");
        if (s.state === "done" || s.state === "failed") { clearInterval(timer); window.location.reload(); }
      }).catch(function () {  /* a blip of the network is not a failure of the job; a minute of errors is */
        if (++failures >= 60) clearInterval(timer);
      });
    }, 1000);
  });
})();
