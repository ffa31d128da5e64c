// Polls a protected-area import until it is done or failed, then shows the summary.
(function () {
  "use strict";
  const box = document.getElementById("import-job");
  if (!box) return;
  const url = box.dataset.statusUrl;
  const $ = (id) => document.getElementById(id);

  function render(data) {
    const pill = $("job-status");
    pill.textContent = data.status.charAt(0).toUpperCase() + data.status.slice(1);
    pill.className = "status-pill status-" + data.status;
    box.dataset.status = data.status;
    const bar = $("job-progress");
    if (data.total) bar.max = data.total;
    bar.value = data.progress;
    $("job-progress-text").textContent = data.progress + (data.total ? " / " + data.total : "");
    if (data.error) {
      $("job-error").textContent = data.error;
      $("job-error").hidden = false;
    }
    if (data.status === "done" || data.status === "failed") $("job-progress-line").hidden = true;
    if (data.status === "done" && data.result) {
      document.querySelectorAll("[data-count]").forEach((cell) => { cell.textContent = data.result[cell.dataset.count]; });
      const list = $("job-errors");
      list.replaceChildren();
      data.result.errors.forEach((e) => {
        const li = document.createElement("li");
        li.textContent = "Feature " + e.feature + ": " + e.reason;
        list.appendChild(li);
      });
      if (!data.result.errors.length) {
        const li = document.createElement("li");
        li.className = "muted";
        li.textContent = "None.";
        list.appendChild(li);
      }
      $("job-summary").hidden = false;
    }
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error("HTTP " + r.status))))
      .then((data) => {
        render(data);
        if (data.status === "queued" || data.status === "running") setTimeout(poll, 1000);
      })
      .catch(() => setTimeout(poll, 3000));
  }

  if (box.dataset.status === "queued" || box.dataset.status === "running") poll();
})();
