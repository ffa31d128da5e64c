// An answer changed by someone else since this person loaded it (the server's 409 with `current`):
// both versions side by side, theirs with who saved it and when, and three ways out (issue 17):
// keep mine (saved over theirs, on their version), take theirs, or merge the two texts in a box
// the person edits. Nothing is saved until they choose, and nothing is thrown away silently.
(function () {
  "use strict";
  const gettext = window.gettext || ((s) => s);
  const interpolate = window.interpolate || ((fmt, obj) => fmt.replace(/%\((\w+)\)s/g, (_m, k) => obj[k]));
  let seq = 0;

  function column(title, text, className) {
    const col = document.createElement("div");
    col.className = `conflict-side conflict-${className}`;
    const h = document.createElement("p");
    h.className = "conflict-title";
    const strong = document.createElement("strong");
    strong.textContent = title;
    h.append(strong);
    const q = document.createElement("blockquote");
    q.className = className;
    q.textContent = text;
    col.append(h, q);
    return col;
  }

  function button(label, handler, primary, name) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = `${primary ? "button" : "button secondary"} js-${name}`;
    b.textContent = label;
    b.addEventListener("click", handler);
    return b;
  }

  function show(box, options) {
    const { mine, theirs } = options;
    const n = ++seq;
    const when = theirs.updated_at ? window.greenlistShortDateTime(theirs.updated_at) : "";
    const who = theirs.updated_by || gettext("someone else");
    box.replaceChildren();
    const message = document.createElement("p");
    message.textContent = options.message || gettext("This answer was changed by someone else meanwhile.");
    const sides = document.createElement("div");
    sides.className = "conflict-sides";
    sides.append(
      column(gettext("Yours (not saved)"), options.describe(mine), "mine"),
      column(interpolate(gettext("Theirs: saved by %(who)s, %(when)s"), { who, when }, true), options.describe(theirs), "theirs"),
    );
    const done = () => { box.hidden = true; box.replaceChildren(); };
    const actions = document.createElement("p");
    actions.className = "conflict-actions";
    const merge = document.createElement("div");
    merge.className = "conflict-merge";
    merge.hidden = true;
    const label = document.createElement("label");
    label.htmlFor = `merge-${n}`;
    label.textContent = gettext("Merged justification (edit it, then save)");
    const area = document.createElement("textarea");
    area.id = `merge-${n}`;
    area.rows = 6;
    area.value = [mine.justification, theirs.justification].filter(Boolean).join("\n\n");
    merge.append(label, area, button(gettext("Save the merged text"), () => {
      done();
      options.keep(Object.assign({}, mine, { justification: area.value }));
    }, true, "save-merged"));
    actions.append(
      button(gettext("Keep mine"), () => { done(); options.keep(mine); }, false, "keep-mine"),
      " ",
      button(gettext("Take theirs"), () => { done(); options.take(); }, false, "take-theirs"),
      " ",
      button(gettext("Merge the texts"), () => { merge.hidden = false; area.focus(); }, false, "merge"),
    );
    box.append(message, sides, actions, merge);
    box.hidden = false;
  }

  window.greenlistConflict = { show };
})();
