// The assessment page read by someone who may not edit it (static/js/assessment.js does the same for
// the site team, with its links to remove): an indicator's linked evidence loads when asked for, from
// the fragment the link names in data-part (issue 19), through static/js/fragments.js. Without script
// the link opens the evidence library, which lists every item with its indicators.
(function () {
  "use strict";
  const gettext = window.gettext || ((s) => s);
  const fragments = window.greenlistFragments;
  document.addEventListener("click", async (event) => {
    const trigger = event.target.closest(".js-show-all[data-part]");
    if (!trigger || !window.fetch || !fragments) return;
    event.preventDefault();
    if (trigger.dataset.loading) return;
    const list = document.querySelector(`ul.linked-evidence[data-answer="${trigger.dataset.answer}"]`);
    const holder = trigger.closest("p");
    const label = trigger.textContent;
    trigger.dataset.loading = "1";
    trigger.textContent = gettext("Loading…");
    list.setAttribute("aria-busy", "true");
    try {
      list.append(fragments.parseFragment(await fragments.fetchFragment(trigger.dataset.part)));
      list.removeAttribute("aria-busy");
      const first = list.querySelector("li[data-evidence] a");
      holder.remove();
      if (first) first.focus();
    } catch (e) {
      delete trigger.dataset.loading;
      trigger.textContent = label;
      list.removeAttribute("aria-busy");
      fragments.showLoadError(holder, "js-linked-error", gettext("Could not load the linked evidence. Try again."));
    }
  });
})();
