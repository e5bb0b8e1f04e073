// No lost clicks on the leads page's first paint (first_paint.rs; ARCHITECTURE.md, "The leads
// page has a first paint").
// The drawn page is on screen before the app's wasm has arrived. Its links are plain links and
// work as they are; every other control carries `data-replay`, the `data-testid` of the app's
// control it stands for. A click, key press (a button's Enter or Space is a click) or choice on
// one is kept here and done again on the app's control once the app has taken over, in the
// order it was made; focus moves to the app's counterpart of the control that had it. Nothing
// else on the picture acts, but a lead's title: it opens the lead's detail, drawn by the server
// in the card's template, at once; once the app is in, the app's own detail of that lead takes
// its place. Runs before the app, as an inline script allowed by its hash
// (platform/browser_headers.rs).
(() => {
  const drawn = document.getElementById('first-paint');
  if (!drawn) return;
  const KEY = /^[a-z0-9-]+$/;
  const queue = [];
  let focused = null;

  // The detail a title opens: while it is open, the app's detail of the same lead is what the
  // queue's last click (that title's) opens once the app is in; closing it takes that click back.
  const detail = document.getElementById('first-paint-detail');
  let detailClick = null;
  const openDetail = (control, target) => {
    const template = control.closest('[data-lead-id]')?.querySelector('template.lead-detail-template');
    if (!detail || !template) return false;
    detail.querySelector('h2').textContent = control.textContent;
    detail.querySelector('.modal-body').replaceChildren(template.content.cloneNode(true));
    detailClick = { kind: 'click', target };
    queue.push(detailClick);
    // The picture is busy (its `aria-busy`) until the app is in, but the open detail is ready
    // to be read.
    drawn.removeAttribute('aria-busy');
    detail.showModal();
    return true;
  };
  detail?.addEventListener('close', () => {
    if (!stillDrawn()) return;
    drawn.setAttribute('aria-busy', 'true');
    const at = queue.indexOf(detailClick);
    if (at >= 0) queue.splice(at, 1);
    detailClick = null;
  });

  // Which app control `control` stands for: its key, the lead whose card it is on, and which
  // of the controls with that key (Why? has one per missing privilege) it is.
  const identify = (control) => {
    const key = control.dataset.replay;
    if (!KEY.test(key)) return null;
    const card = control.closest('[data-lead-id]');
    const scope = card || drawn;
    const index = Array.prototype.indexOf.call(scope.querySelectorAll(`[data-replay="${key}"]`), control);
    return { key, lead: card ? card.dataset.leadId : null, index };
  };
  const same = (a, b) => a && b && a.key === b.key && a.lead === b.lead && a.index === b.index;

  const counterpart = (target) => {
    let scope = document;
    if (target.lead !== null) {
      scope = Array.prototype.find.call(
        document.querySelectorAll('[data-lead-id]'),
        (card) => card.dataset.leadId === target.lead,
      );
      if (!scope) return null;
    }
    return scope.querySelectorAll(`[data-testid="${target.key}"]`)[target.index] || null;
  };

  const closed = (control) => control.disabled || control.getAttribute('aria-disabled') === 'true';
  const stillDrawn = () => drawn.isConnected;

  document.addEventListener('click', (event) => {
    if (!stillDrawn() || !drawn.contains(event.target)) return;
    if (event.target.closest('[data-detail-close]')) {
      detail.close();
      return;
    }
    const control = event.target.closest('[data-replay]');
    if (event.target.closest('a[href]') && !control) return; // a link: the browser follows it
    if (control && control.tagName === 'SELECT') return; // a choice is kept on `change`
    event.preventDefault();
    if (!control || closed(control)) return;
    const target = identify(control);
    if (!target) return;
    if (target.key === 'lead-open' && openDetail(control, target)) return;
    const last = queue[queue.length - 1];
    // A double click, or the same click again while the app loads, is one action.
    if (last && last.kind === 'click' && same(last.target, target)) return;
    queue.push({ kind: 'click', target });
    control.setAttribute('data-replay-pending', '');
  }, true);

  document.addEventListener('change', (event) => {
    if (!stillDrawn() || !drawn.contains(event.target)) return;
    const control = event.target.closest('select[data-replay]');
    const target = control && identify(control);
    if (!target) return;
    const earlier = queue.findIndex((action) => action.kind === 'choose' && same(action.target, target));
    if (earlier >= 0) queue.splice(earlier, 1);
    queue.push({ kind: 'choose', target, value: control.value });
  }, true);

  document.addEventListener('focusin', (event) => {
    if (!stillDrawn()) return;
    const control = drawn.contains(event.target) && event.target.closest('[data-replay]');
    focused = control ? identify(control) : null;
  }, true);

  // Done again on the app, in order; an action whose control is not there yet (the app still
  // drawing, or taking over at its last resort before its page is complete) waits for it.
  const act = (action, control) => {
    if (action.kind === 'choose') {
      control.value = action.value;
      control.dispatchEvent(new Event('change', { bubbles: true }));
    } else {
      // As a pointer's click does: the control has focus, so a dialog it opens gives it back.
      control.focus({ preventScroll: true });
      control.click();
    }
  };
  let observer = null;
  const replay = () => {
    while (queue.length) {
      // Closed for now (Generate until the connector is read): it waits until it opens.
      const control = counterpart(queue[0].target);
      if (!control || closed(control)) return false;
      act(queue.shift(), control);
    }
    if (focused) {
      const control = counterpart(focused);
      if (!control) return false;
      if (!document.querySelector('dialog[open]')) control.focus();
      focused = null;
    }
    return true;
  };
  const GIVE_UP_MS = 15000;
  const watch = new MutationObserver(() => {
    if (stillDrawn()) return;
    watch.disconnect();
    if (replay()) return;
    const started = performance.now();
    observer = new MutationObserver(() => {
      if (replay() || performance.now() - started > GIVE_UP_MS) observer.disconnect();
    });
    observer.observe(document.body, { childList: true, subtree: true, attributes: true });
  });
  watch.observe(drawn.parentNode, { childList: true });
})();
