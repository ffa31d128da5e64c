// Starts Redoc on /api/v1/docs/ (a file, not an inline script: the page's CSP allows scripts from 'self' only).
// The nonce comes from a data- attribute: browsers hide a `nonce` attribute's value from scripts.
(() => {
  const container = document.getElementById("redoc-container");
  window.Redoc.init(container.dataset.schemaUrl, { nonce: container.dataset.styleNonce }, container);
})();
