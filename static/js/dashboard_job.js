// Polls an export job until its file is ready, then shows the download link.
(function () {
  "use strict";
  const box = document.querySelector(".js-export-job");
  if (!box) return;
  const statusEl = box.querySelector(".js-job-status");
  const bar = box.querySelector(".js-job-progress");
  const error = box.querySelector(".js-job-error");
  const download = box.querySelector(".js-job-download");
  const labels = { queued: "Queued", running: "Running", done: "Done", failed: "Failed" };
  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
      .then((job) => {
        statusEl.textContent = labels[job.status] || job.status;
        bar.value = job.progress;
        if (job.total) bar.max = job.total;
        if (job.status === "done") {
          download.hidden = false;
          download.querySelector("a").href = job.download;
        } else if (job.status === "failed") {
          error.hidden = false;
          error.textContent = job.error;
        } else {
          setTimeout(poll, 1000);
        }
      })
      .catch(() => setTimeout(poll, 3000));
  }
  poll();
})();
