/* The report form as a clerk lives in it: autosave while typing (the server's version check still decides),
   a question before leaving with unsaved changes, each item's state in the contents, the change a typed
   figure makes, and a warning for a file that is too large. Every rule is the server's; this only helps. */
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form) { return; }
  var status = document.getElementById("autosave-status");
  var toc = form.querySelector(".report-toc");
  var version = form.querySelector("input[name=version]");
  var QUIET_MS = 3000, MOST_MS = 15000;
  /* a page shown again after a refused save holds entries that are not stored yet */
  var dirty = form.hasAttribute("data-pending"), submitting = false, stopped = false, inflight = null, quietTimer = null, firstEdit = 0;

  function say(key, values) {
    var text = status.dataset[key] || "";
    Object.keys(values || {}).forEach(function (k) { text = text.replace("%(" + k + ")s", values[k]); });
    status.textContent = text;
  }

  function readFigure(raw) {
    var full = "０１２３４５６７８９．，－";
    var text = String(raw).trim().replace(/[０-９．，－]/g, function (c) { return "0123456789.,-"[full.indexOf(c)]; });
    if (/^-?\d{1,3}(,\d{3})+(\.\d+)?$/.test(text)) { text = text.replace(/,/g, ""); }
    return /^-?(\d+(\.\d+)?|\.\d+)$/.test(text) ? parseFloat(text) : null;
  }

  function showDelta(input) {
    var out = form.querySelector("[data-delta-for='" + input.id + "']");
    if (!out) { return; }
    var value = readFigure(input.value), previous = parseFloat(input.dataset.previous);
    out.textContent = "";
    out.classList.remove("needs-explanation");
    if (value === null || isNaN(previous)) { return; }
    var change = value - previous;
    var sign = change > 0 ? "+" : "";
    var share = previous !== 0 ? sign + (100 * change / Math.abs(previous)).toFixed(1) + "%" : "–";
    var text = status.dataset.delta.replace("%(change)s", sign + Number(change.toFixed(4)))
      .replace("%(share)s", share);
    var limit = parseFloat(input.dataset.share);
    if (change !== 0 && (previous === 0 || Math.abs(change) / Math.abs(previous) > limit)) {
      text += " " + status.dataset.explain.replace("%(share)s", Number((limit * 100).toFixed(1)) + "%");
      out.classList.add("needs-explanation");
    }
    out.textContent = text;
  }

  function filled(field) {
    var input = field.querySelector("input, select, textarea");
    if (!input) { return true; }
    if (input.type === "checkbox") { return input.checked; }
    return input.value.trim() !== "";
  }

  function itemState(card) {
    if (card.querySelector(".error")) { return "error"; }
    var needed = Array.prototype.filter.call(card.querySelectorAll(".field"), function (field) {
      return field.querySelector(".req") || field.querySelector("input[name$=confirm_carried]");
    });
    return needed.every(filled) ? "done" : "todo";
  }

  function refreshContents() {
    if (!toc) { return; }
    var counts = { done: 0, todo: 0, error: 0 };
    form.querySelectorAll("[data-item]").forEach(function (card) {
      var state = itemState(card);
      counts[state] += 1;
      var badge = toc.querySelector("[data-toc='" + card.dataset.item + "'] .item-state");
      if (badge) {
        badge.className = "item-state item-" + state;
        badge.dataset.state = state;
        badge.textContent = toc.dataset[state];
      }
    });
    toc.querySelector("[data-toc-summary]").textContent =
      toc.dataset.done + " " + counts.done + " · " + toc.dataset.todo + " " + counts.todo +
      (counts.error ? " · " + toc.dataset.error + " " + counts.error : "");
  }

  function clearErrors() {
    form.querySelectorAll(".field .error").forEach(function (e) { e.remove(); });
    form.querySelectorAll(".has-error").forEach(function (e) { e.classList.remove("has-error"); });
  }

  function showErrors(errors) {
    Object.keys(errors).forEach(function (name) {
      var input = form.querySelector("[name='" + name + "']");
      var item = (name.charAt(0) === "t" ? "task-" : "indicator-") + name.slice(1);
      var holder = input ? input.closest(".field") : form.querySelector("[data-item='" + item + "']");
      if (!holder) { return; }
      holder.classList.add("has-error");
      errors[name].forEach(function (message) {
        var div = document.createElement("div");
        div.className = "error";
        div.setAttribute("role", "alert");
        div.textContent = message;
        holder.appendChild(div);
      });
      var card = holder.closest("[data-item]");
      if (card) { card.classList.add("has-error"); }
    });
  }

  function autosave() {
    clearTimeout(quietTimer);
    if (!dirty || stopped || submitting || inflight) { return; }
    var data = new FormData(form);
    form.querySelectorAll("input[type=file]").forEach(function (f) { data.delete(f.name); });
    data.set("action", "autosave");
    dirty = false;
    firstEdit = 0;
    say("saving");
    inflight = fetch(window.location.pathname, {
      method: "POST", body: data, credentials: "same-origin", headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (answer) {
        if (response.status === 409) {
          stopped = true;
          dirty = true;
          status.textContent = answer.conflict;
          return;
        }
        clearErrors();
        if (answer.saved) {
          version.value = answer.version;
          say("saved", { time: answer.at });
        } else {
          dirty = true;
          showErrors(answer.errors);
          say("refused");
        }
        refreshContents();
      });
    }).catch(function () {
      dirty = true;
      say("offline");
    }).then(function () { inflight = null; });
  }

  function edited(event) {
    if (event.target.type === "file") { return; }
    dirty = true;
    if (!firstEdit) { firstEdit = Date.now(); }
    if (!stopped) { say("unsaved"); }
    clearTimeout(quietTimer);
    var wait = Math.max(0, Math.min(QUIET_MS, firstEdit + MOST_MS - Date.now()));
    quietTimer = setTimeout(autosave, wait);
    if (event.target.dataset.previous !== undefined) { showDelta(event.target); }
    refreshContents();
  }

  form.addEventListener("input", edited);
  form.addEventListener("change", function (event) {
    if (event.target.type === "file") { chosen(event.target); } else { edited(event); }
  });

  function chosen(input) {
    var note = input.closest(".field").querySelector(".file-note");
    if (!note) {
      note = document.createElement("div");
      note.className = "file-note small";
      input.closest(".field").appendChild(note);
    }
    var file = input.files[0], limit = parseInt(form.dataset.maxBytes, 10);
    if (!file) { note.textContent = ""; return; }
    if (file.size > limit) {
      note.className = "file-note small error";
      note.textContent = status.dataset.tooBig.replace("%(limit)s", Math.floor(limit / 1048576) + " MB");
    } else {
      note.className = "file-note small muted";
      note.textContent = status.dataset.chosen;
    }
  }

  form.addEventListener("submit", function (event) {
    if (inflight) {
      event.preventDefault();
      var submitter = event.submitter;
      inflight.then(function () { form.requestSubmit(submitter); });
      return;
    }
    clearTimeout(quietTimer);
    submitting = true;
  });

  window.addEventListener("beforeunload", function (event) {
    var fileChosen = Array.prototype.some.call(form.querySelectorAll("input[type=file]"), function (f) {
      return f.files.length > 0;
    });
    if ((dirty || fileChosen || inflight) && !submitting) {
      event.preventDefault();
      event.returnValue = status.dataset.leave;
      return status.dataset.leave;
    }
  });

  form.querySelectorAll("input[data-previous]").forEach(showDelta);
  refreshContents();
}());
