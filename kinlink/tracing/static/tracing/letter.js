// A print button for the family letter (the CSP forbids inline scripts).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
