// Shirabe admin console, loaded only by a page that follows work in the background (a report being made): it reloads
// the page every data-refresh seconds.
// A script, not <meta http-equiv="refresh">: WCAG 2.2.1 counts a timed meta refresh as a failure; without script the
// page says how to update it by hand.
(() => {
  const seconds = Number(document.currentScript?.dataset.refresh);
  if (seconds > 0) setTimeout(() => location.reload(), seconds * 1000);
})();
