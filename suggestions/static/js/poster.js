// The poster page's print button (no inline scripts: the CSP allows none).
document.querySelectorAll("[data-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
