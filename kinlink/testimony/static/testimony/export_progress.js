// Progress of evidence bundles built in the background: polls each job's JSON status
// (testimony:export_job) and shows the download link when the bundle is ready.
// A static file, not an inline script: the Content-Security-Policy forbids inline code.
(function () {
  "use strict";
  var INTERVAL = 1500;

  function update(item, state) {
    var bar = item.querySelector("progress");
    var percent = item.querySelector(".job-percent");
    if (bar) { bar.value = state.percent; bar.textContent = state.percent + "%"; }
    if (percent) { percent.textContent = state.percent + "%"; }
    item.dataset.status = state.status;
    if (state.status === "done" && state.download) {
      var link = item.querySelector(".job-download");
      link.href = state.download;
      link.textContent = state.export;
      link.hidden = false;
      return true;
    }
    return state.status === "failed";
  }

  function poll(item) {
    fetch(item.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (state && update(item, state)) {
          if (state.status === "failed") { window.location.reload(); }
          return;
        }
        window.setTimeout(function () { poll(item); }, INTERVAL);
      })
      .catch(function () { window.setTimeout(function () { poll(item); }, INTERVAL * 4); });
  }

  document.querySelectorAll(".export-job[data-status-url]").forEach(poll);
})();
