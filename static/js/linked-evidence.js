// The assessment page read by someone who may not edit it (static/js/assessment.js does the same for
// the site team, with its links to remove): an indicator's linked evidence loads when asked for, from
// the fragment the link names in data-part (issue 19). Without script the link opens the evidence
// library, which lists every item with its indicators.
(function () {
  "use strict";
  const gettext = window.gettext || ((s) => s);
  document.addEventListener("click", async (event) => {
    const trigger = event.target.closest(".js-show-all[data-part]");
    if (!trigger || !window.fetch) return;
    event.preventDefault();
    if (trigger.dataset.loading) return;
    const list = document.querySelector(`ul.linked-evidence[data-answer="${trigger.dataset.answer}"]`);
    const holder = trigger.closest("p");
    const label = trigger.textContent;
    trigger.dataset.loading = "1";
    trigger.textContent = gettext("Loading…");
    list.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(trigger.dataset.part, { credentials: "same-origin", headers: { Accept: "text/html" } });
      if (!response.ok) throw new Error(String(response.status));
      const template = document.createElement("template");
      template.innerHTML = await response.text(); // the server's fragment, every value escaped by its template
      list.append(template.content);
      list.removeAttribute("aria-busy");
      const first = list.querySelector("li[data-evidence] a");
      holder.remove();
      if (first) first.focus();
    } catch (e) {
      delete trigger.dataset.loading;
      trigger.textContent = label;
      list.removeAttribute("aria-busy");
      let note = holder.querySelector(".js-linked-error");
      if (!note) {
        note = document.createElement("span");
        note.className = "field-error js-linked-error";
        note.setAttribute("role", "alert");
        holder.append(" ", note);
      }
      note.textContent = gettext("Could not load the linked evidence. Try again.");
    }
  });
})();
