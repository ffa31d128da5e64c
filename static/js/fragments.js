// Loading a piece of a page the server draws on request (issue 19): an indicator's linked evidence on
// the assessment page (static/js/assessment.js, static/js/linked-evidence.js) and an indicator's
// details on the review page (static/js/review.js). One way to ask for it and one way to say it could
// not be loaded, so the three behave alike.
//
// A classic script (no modules, no build step, like the rest of static/js), loaded before the scripts
// that use it; written without arrow functions like review.js, which it serves too. Offline, the
// service worker answers these requests from the device's copy (static/js/offline/device.js keeps
// each data-part of a kept page, and every script a kept page names).
(function () {
  "use strict";

  // GET `url`'s HTML fragment with the person's session. Resolves to its text; rejects on a network
  // failure or an answer other than 2xx. `onResponse(response)`, if given, sees the good answer before
  // it is read (review.js keeps a copy of it on the device).
  function fetchFragment(url, onResponse) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      if (onResponse) { onResponse(response); }
      return response.text();
    });
  }

  // The fragment's nodes, not yet in the page: the server's HTML, every value escaped by its template.
  function parseFragment(html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    return template.content;
  }

  // Says in `holder` that a fragment could not be loaded: an alert (role="alert", read out at once)
  // with `text`, in the element of class `className` already there (a second failure replaces the
  // words), else in a new `tag` ("span" after a space at the end of `holder`, or with `prepend` at its
  // start). Returns the note, for a caller to add a button to.
  function showLoadError(holder, className, text, options) {
    var opts = options || {};
    var note = holder.querySelector("." + className);
    if (!note) {
      note = document.createElement(opts.tag || "span");
      note.className = "field-error " + className;
      note.setAttribute("role", "alert");
      if (opts.prepend) { holder.prepend(note); } else { holder.append(" ", note); }
    }
    note.textContent = text;
    return note;
  }

  window.greenlistFragments = { fetchFragment: fetchFragment, parseFragment: parseFragment, showLoadError: showLoadError };
})();
