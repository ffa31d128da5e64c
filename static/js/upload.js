// Evidence upload by drag and drop or the file chooser, one progress bar per file.
// XMLHttpRequest (not fetch) because only it reports upload progress. Without JavaScript the
// same form posts to the server as a plain multipart form.
(function () {
  "use strict";
  // Words through Django's JavaScript catalogue (jsi18n, loaded first by base.html); English without it.
  // Called by these names so that makemessages -d djangojs finds the strings.
  const gettext = window.gettext || ((s) => s);
  const interpolate = window.interpolate || ((s, named) => s.replace(/%\((\w+)\)s/g, (_m, k) => named[k]));
  const configEl = document.getElementById("assessment-config");
  if (!configEl) return;
  const config = JSON.parse(configEl.textContent);

  function csrfToken(form) {
    const input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function uploadOne(form, file) {
    const list = form.querySelector(".upload-list");
    const li = document.createElement("li");
    const name = document.createElement("span");
    name.className = "upload-name";
    name.textContent = file.name;
    const bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", interpolate(gettext("Upload of %(name)s"), { name: file.name }, true));
    const state = document.createElement("span");
    state.className = "upload-state";
    state.textContent = gettext("Waiting…");
    li.append(name, " ", bar, " ", state);
    list.appendChild(li);

    const data = new FormData();
    data.append("file", file);
    data.append("indicators", form.dataset.indicator);
    data.append("sensitivity", form.elements.sensitivity.value);
    if (form.elements.evidence_date.value) data.append("evidence_date", form.elements.evidence_date.value);
    // A multi-site application's site the file is about (issue 16); none: the whole application.
    if (form.elements.site && form.elements.site.value) data.append("site", form.elements.site.value);

    const xhr = new XMLHttpRequest();
    xhr.open("POST", `${config.api}evidence/`);
    xhr.setRequestHeader("X-CSRFToken", csrfToken(form));
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", (event) => {
      if (!event.lengthComputable) return;
      const pct = Math.round((100 * event.loaded) / event.total);
      bar.value = pct;
      state.textContent = `${pct}%`;
    });
    xhr.addEventListener("load", () => {
      let body = null;
      try { body = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
      if (xhr.status === 201 && body) {
        bar.value = 100;
        state.textContent = gettext("Uploaded");
        li.classList.add("done");
        document.dispatchEvent(new CustomEvent("evidence:uploaded", {
          detail: { answer: Number(form.dataset.answer), item: body },
        }));
      } else {
        li.classList.add("failed");
        state.textContent = body && body.detail ? interpolate(gettext("Failed: %(reason)s"), { reason: body.detail }, true) : interpolate(gettext("Failed (error %(status)s)"), { status: xhr.status }, true);
        if (body && body.errors && body.errors.file) state.textContent = interpolate(gettext("Failed: %(reason)s"), { reason: body.errors.file.join(" ") }, true);
      }
    });
    xhr.addEventListener("error", () => {
      li.classList.add("failed");
      state.textContent = gettext("Failed: the connection dropped. Choose the file again to retry.");
    });
    xhr.send(data);
  }

  function uploadAll(form, files) {
    Array.from(files).forEach((file) => uploadOne(form, file));
  }

  // One drop zone in a <template>, cloned under each indicator (50 server-rendered copies made
  // the page heavy). Without script, each indicator links to its evidence page instead.
  const template = document.getElementById("upload-template");
  if (template) {
    document.querySelectorAll(".js-evidence-actions").forEach((anchor) => {
      const block = template.content.cloneNode(true);
      const form = block.querySelector("form");
      const id = anchor.dataset.answer;
      form.dataset.answer = id;
      form.dataset.indicator = anchor.dataset.indicator;
      form.elements.indicator.value = anchor.dataset.indicator;
      block.querySelectorAll("[data-id]").forEach((el) => { el.id = `${el.dataset.id}-${id}`; });
      block.querySelectorAll("label[data-for]").forEach((el) => { el.htmlFor = `${el.dataset.for}-${id}`; });
      anchor.after(block);
    });
  }

  document.querySelectorAll(".js-upload").forEach((form) => {
    const input = form.querySelector("input[type=file]");
    const button = form.querySelector(".js-upload-button");
    if (button) button.hidden = true; // files upload as soon as they are chosen or dropped
    input.addEventListener("change", () => {
      if (input.files.length) uploadAll(form, input.files);
      input.value = "";
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (input.files.length) uploadAll(form, input.files);
    });
    ["dragenter", "dragover"].forEach((type) =>
      form.addEventListener(type, (event) => {
        event.preventDefault();
        form.classList.add("dragging");
      })
    );
    ["dragleave", "drop"].forEach((type) =>
      form.addEventListener(type, () => form.classList.remove("dragging"))
    );
    form.addEventListener("drop", (event) => {
      event.preventDefault();
      if (event.dataTransfer && event.dataTransfer.files.length) uploadAll(form, event.dataTransfer.files);
    });
  });
})();
