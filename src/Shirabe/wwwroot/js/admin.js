// Shirabe admin console, loaded only by a page that follows work in the background (a report being made, mail being
// sent): it reloads the page every data-refresh seconds, or, with data-refresh-part (an element's id), fetches
// data-refresh-url again and replaces only that element, until the element's data-busy is no longer "true" (so a form
// being filled in elsewhere on the page is kept).
// A script, not <meta http-equiv="refresh">: WCAG 2.2.1 counts a timed meta refresh as a failure; without script the
// page says how to update it by hand.
(() => {
  const data = document.currentScript?.dataset ?? {};
  const seconds = Number(data.refresh);
  if (!(seconds > 0)) return;
  const part = data.refreshPart;
  if (!part) {
    setTimeout(() => location.reload(), seconds * 1000);
    return;
  }
  const poll = async () => {
    const current = document.getElementById(part);
    if (!current || current.dataset.busy !== "true") return;
    try {
      const response = await fetch(data.refreshUrl || location.pathname, { credentials: "same-origin", cache: "no-store" });
      if (response.ok) {
        const fresh = new DOMParser().parseFromString(await response.text(), "text/html").getElementById(part);
        if (fresh) current.replaceWith(document.importNode(fresh, true));
      }
    } catch {
      // offline for a moment: try again at the next tick
    }
    setTimeout(poll, seconds * 1000);
  };
  setTimeout(poll, seconds * 1000);
})();
