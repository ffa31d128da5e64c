// The one poller of long-running jobs (imports, exports): polls GET /api/v1/jobs/{id}/ (the
// element's data-job-url) until the job is done or failed, and shows its progress, result or error.
//
// The page holds every word shown (translated in the template): data-label-<status> on the
// [data-job] element for the status names, and the result's parts in the markup, which this only
// fills in and unhides:
//   [data-job-status]         the status name (a .status-pill gets its status-<status> class)
//   progress[data-job-progress], [data-job-progress-text]   done (/ total)
//   [data-job-running]        shown while queued or running
//   [data-job-error]          the error (status failed)
//   [data-job-done]           shown once done; inside it, [data-result=<key>] cells take result[key],
//                             a[data-job-download] the download link (when the template gave none),
//                             [data-job-errors] lists result.errors with its <template> (slots
//                             [data-field=<key>]), or the element [data-job-errors-empty] if none;
//                             [data-result-if=<key>] is shown only when result[key] is true,
//                             [data-result-word=<key>] takes its data-word-one or data-word-other
//                             as result[key] is one or more (Intl.PluralRules, the page's language).
(function () {
  "use strict";
  const FAST = 1000; // while the job runs and the tab is watched
  const HIDDEN = 15000; // while the tab is hidden (polling resumes at once when it shows again)
  const MAX = 60000; // the longest wait after repeated network errors
  const FINISHED = ["done", "failed"];

  function start(box) {
    const url = box.dataset.jobUrl;
    const one = (selector) => box.querySelector(selector);
    let failures = 0;
    let timer = null;

    function render(job) {
      box.dataset.jobState = job.status;
      const status = one("[data-job-status]");
      if (status) {
        status.textContent = box.dataset["label" + job.status.charAt(0).toUpperCase() + job.status.slice(1)] || job.status;
        if (status.classList.contains("status-pill")) status.className = "status-pill status-" + job.status;
      }
      const bar = one("[data-job-progress]");
      if (bar) {
        if (job.total) {
          bar.max = job.total;
          bar.value = job.progress;
        } else if (job.status === "running") {
          bar.removeAttribute("value"); // total not known yet: an indeterminate bar
        }
      }
      const text = one("[data-job-progress-text]");
      if (text) text.textContent = job.progress + (job.total ? " / " + job.total : "");
      const running = one("[data-job-running]");
      if (running) running.hidden = FINISHED.includes(job.status);
      const error = one("[data-job-error]");
      if (error && job.status === "failed") {
        error.textContent = job.error;
        error.hidden = false;
      }
      if (job.status === "done") showResult(job);
    }

    function showResult(job) {
      const done = one("[data-job-done]");
      if (!done) return;
      const result = job.result || {};
      done.querySelectorAll("[data-result]").forEach((cell) => {
        const value = result[cell.dataset.result];
        cell.textContent = value === undefined || value === null ? "" : value;
      });
      // A count's word agrees with it: the template gives both forms (data-word-one / -other).
      const plural = new Intl.PluralRules(document.documentElement.lang || undefined);
      done.querySelectorAll("[data-result-word]").forEach((word) => {
        const value = result[word.dataset.resultWord];
        if (typeof value !== "number") return;
        word.textContent = plural.select(value) === "one" ? word.dataset.wordOne : word.dataset.wordOther;
      });
      done.querySelectorAll("[data-result-if]").forEach((el) => {
        el.hidden = result[el.dataset.resultIf] !== true;
      });
      const link = done.querySelector("a[data-job-download]");
      if (link && !link.getAttribute("href") && job.download_url) link.href = job.download_url;
      const list = done.querySelector("[data-job-errors]");
      const item = done.querySelector("template[data-job-error-item]");
      if (list && item && Array.isArray(result.errors)) {
        list.replaceChildren();
        result.errors.forEach((e) => {
          const li = item.content.firstElementChild.cloneNode(true);
          li.querySelectorAll("[data-field]").forEach((slot) => { slot.textContent = e[slot.dataset.field]; });
          list.appendChild(li);
        });
        const empty = done.querySelector("[data-job-errors-empty]");
        if (empty) empty.hidden = result.errors.length > 0;
      }
      done.hidden = false;
    }

    function later(ms) {
      clearTimeout(timer);
      timer = setTimeout(poll, document.hidden ? Math.max(ms, HIDDEN) : ms);
    }

    function poll() {
      timer = null;
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then((r) => {
          if (r.ok) return r.json();
          // Gone or refused (logged out, access lost): asking again will not help.
          if (r.status >= 400 && r.status < 500 && r.status !== 429) return null;
          throw new Error("HTTP " + r.status);
        })
        .then((job) => {
          if (!job) return;
          failures = 0;
          render(job);
          if (!FINISHED.includes(job.status)) later(FAST);
        })
        .catch(() => {
          // Network trouble or a busy server: wait longer each time (2 s, 4 s, … up to a minute).
          failures += 1;
          later(Math.min(MAX, FAST * 2 ** failures));
        });
    }

    document.addEventListener("visibilitychange", () => {
      // Back in view while waiting out the hidden pause: ask now, not in up to 15 seconds.
      if (!document.hidden && timer !== null && failures === 0) later(0);
    });
    if (!FINISHED.includes(box.dataset.jobState)) poll();
  }

  document.querySelectorAll("[data-job]").forEach(start);
})();
