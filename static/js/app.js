// Small progressive enhancements shared by every page (no inline script: strict CSP).
document.addEventListener("change", (event) => {
  const el = event.target;
  if (el.classList && el.classList.contains("js-autosubmit") && el.form) el.form.submit();
});

// The phone menu: fold the header's links behind the menu button (the panel stays open without script).
(() => {
  const header = document.querySelector(".site-header");
  const toggle = header && header.querySelector(".menu-toggle");
  if (!toggle) return;
  header.classList.add("has-menu");
  toggle.hidden = false;
  toggle.addEventListener("click", () => {
    const open = header.classList.toggle("menu-open");
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && header.classList.contains("menu-open")) {
      header.classList.remove("menu-open");
      toggle.setAttribute("aria-expanded", "false");
      toggle.focus();
    }
  });
})();

// A message about one part of a long page (core.messages.success_near) goes next to that part, where
// the browser has scrolled to; the top box disappears when nothing is left in it.
(() => {
  const box = document.querySelector(".messages");
  if (!box) return;
  box.querySelectorAll("[data-near]").forEach((message) => {
    const target = document.getElementById(message.dataset.near);
    if (!target) return;
    message.setAttribute("role", "status");
    message.classList.add("message-near");
    target.prepend(message);
  });
  if (!box.querySelector(".message")) box.hidden = true;
})();
