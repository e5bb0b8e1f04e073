// The inside of a lead card, drawn in one call from wasm (src/components/lead_card.rs).
//
// A page of 100 cards drawn element by element from wasm took about 8,000 calls across the
// wasm/JS boundary on every page switch; cloning one prepared card and filling it in takes one
// call per card (list rendering: BENCHMARKS.md section 5). Every server string goes in as text
// (`textContent`, `title`, `dateTime`), never as HTML.

let shape = null;

function element(tag, className) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  return node;
}

// The card's children, as `server/src/leads/first_paint.rs` draws them too.
function cardShape() {
  const badge = element('span');
  badge.title = 'Priority, 10 is the most urgent';
  const top = element('div', 'lead-card-top');
  top.append(badge, element('span'));

  const open = element('button', 'link-button');
  open.type = 'button';
  open.dataset.testid = 'lead-open';
  const heading = element('h3', 'lead-title');
  heading.append(open);

  const icon = element('span');
  icon.setAttribute('aria-hidden', 'true');
  const entity = element('p', 'lead-entity');
  entity.append(icon, element('span', 'sr-only'), element('span', 'entity-name'));

  const tags = element('ul', 'tags');
  tags.setAttribute('aria-label', 'Tags');

  const dismiss = element('button', 'btn btn-small btn-ghost');
  dismiss.type = 'button';
  dismiss.dataset.testid = 'lead-dismiss';
  dismiss.textContent = 'Dismiss';
  const anchor = element('span', 'tooltip-anchor');
  anchor.append(dismiss);
  const footer = element('div', 'lead-card-footer');
  footer.append(element('time', 'muted small'), anchor);

  const card = document.createDocumentFragment();
  card.append(top, heading, element('p', 'lead-byline'), entity, tags, footer);
  return card;
}

let tooltips = 0;

// Closes the Dismiss button in `anchor` with `reason`, or opens it (`reason` undefined), as
// `GuardedButton` does (src/components/guarded_button.rs): `aria-disabled`, and the reason in a
// tooltip that describes the button. The list's `listenForTooltips` opens the tooltip.
function closeWith(anchor, reason) {
  const button = anchor.lastElementChild;
  let tooltip = anchor.firstElementChild === button ? null : anchor.firstElementChild;
  if (reason == null) {
    if (tooltip) {
      tooltip.remove();
      button.removeAttribute('aria-disabled');
      button.removeAttribute('aria-describedby');
    }
    return;
  }
  if (!tooltip) {
    tooltip = element('span', 'tooltip');
    tooltip.setAttribute('role', 'tooltip');
    tooltip.id = `lead-tooltip-${++tooltips}`;
    anchor.prepend(tooltip);
  }
  tooltip.textContent = reason;
  button.setAttribute('aria-disabled', 'true');
  button.setAttribute('aria-describedby', tooltip.id);
}

// Every Dismiss in `list` closed with `reason`, or opened.
export function closeDismissals(list, reason) {
  for (const anchor of list.querySelectorAll('.lead-card-footer > .tooltip-anchor')) {
    closeWith(anchor, reason);
  }
}

// One set of listeners for every card's tooltip: shown on hover and on focus, hidden by Escape.
export function listenForTooltips(list) {
  const show = (event, open) => {
    const anchor = event.target.closest && event.target.closest('.tooltip-anchor');
    if (!anchor || !list.contains(anchor)) return;
    if (!open && event.relatedTarget instanceof Node && anchor.contains(event.relatedTarget)) return;
    const tooltip = anchor.querySelector(':scope > .tooltip');
    if (tooltip) tooltip.classList.toggle('tooltip-open', open);
  };
  list.addEventListener('mouseover', (event) => show(event, true));
  list.addEventListener('mouseout', (event) => show(event, false));
  list.addEventListener('focusin', (event) => show(event, true));
  list.addEventListener('focusout', (event) => show(event, false));
  list.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') show(event, false);
  });
}

// Fills `li` with the card. An active lead gets a Dismiss button, closed while `dismissBlock`
// holds a reason.
export function fillLeadCard(
  li, badgeClass, priority, stalenessClass, staleness, title, byline,
  entityIconClass, entityType, entityName, tags, dateTime, localTime, relativeTime,
  dismissible, dismissBlock,
) {
  shape ??= cardShape();
  const card = shape.cloneNode(true);
  const [top, heading, byLine, entity, tagList, footer] = card.children;
  const [badge, stale] = top.children;
  badge.className = badgeClass;
  badge.textContent = priority;
  stale.className = stalenessClass;
  stale.textContent = staleness;
  heading.firstChild.textContent = title;
  byLine.textContent = byline;
  if (entityType == null) {
    entity.remove();
  } else {
    const [icon, type, name] = entity.children;
    icon.className = entityIconClass;
    type.textContent = `${entityType} `;
    name.textContent = entityName;
  }
  for (const text of tags) {
    const tag = element('li', 'tag');
    tag.textContent = text;
    tagList.append(tag);
  }
  const [time, anchor] = footer.children;
  time.dateTime = dateTime;
  time.title = localTime;
  time.textContent = relativeTime;
  if (!dismissible) {
    anchor.remove();
  } else if (dismissBlock != null) {
    closeWith(anchor, dismissBlock);
  }
  li.append(card);
}
