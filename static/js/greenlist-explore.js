// The public Green List's map is an SVG the server draws. This button swaps in the interactive map,
// loading MapLibre (1.5 MB) and greenlist-map.js from our own static files only for those who ask
// (issue 15). Without script the SVG and the list stay, and the button stays hidden.
(function () {
  "use strict";
  const button = document.querySelector(".js-explore-map");
  const still = document.getElementById("greenlist-world");
  const map = document.getElementById("greenlist-map");
  if (!button || !still || !map) return;

  function load(tag, attributes) {
    return new Promise((resolve, reject) => {
      const el = Object.assign(document.createElement(tag), attributes);
      el.onload = resolve;
      el.onerror = reject;
      document.head.appendChild(el);
    });
  }

  function showStill() {
    map.hidden = true;
    still.hidden = false;
    button.hidden = false;
    button.disabled = false;
  }

  button.hidden = false;
  button.addEventListener("click", () => {
    button.disabled = true;
    Promise.all([
      load("link", { rel: "stylesheet", href: button.dataset.style }),
      load("script", { src: button.dataset.library }),
    ])
      .then(() => {
        // The map measures its container when it starts: show it first.
        still.hidden = true;
        button.hidden = true;
        map.hidden = false;
        map.focus();
        return load("script", { src: button.dataset.script });
      })
      .catch(showStill);
  });
  // greenlist-map.js gives up without WebGL: the SVG comes back.
  map.addEventListener("greenlist:map-failed", showStill);
})();
