// A few lines instead of a framework: elements from tag, properties and children.

const PROPERTIES = new Set(['value', 'disabled', 'checked', 'selected', 'muted', 'controls', 'autoplay', 'src', 'hidden']);

/**
 * An element: `h('a', {href: '#/', class: 'card', testid: 'moderator', onclick: f}, 'text', child)`.
 * `testid` becomes `data-testid`; `on<event>` adds a listener; null/false children and
 * properties are left out; arrays of children are flattened.
 * @param {string} tag
 * @param {Record<string, any> | null} [props]
 * @param {...any} children
 * @returns {HTMLElement}
 */
export function h (tag, props = null, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === null || value === undefined || value === false) {
      continue;
    }
    if (name === 'class') {
      element.className = value;
    } else if (name === 'testid') {
      element.dataset.testid = value;
    } else if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (PROPERTIES.has(name)) {
      element[name] = value;
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(element, children);
  return element;
}

/**
 * Appends children (text, elements, arrays of them; null and false skipped).
 * @param {HTMLElement} element
 * @param {any[]} children
 */
export function append (element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) {
      continue;
    }
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/**
 * Replaces an element's children.
 * @param {HTMLElement} element
 * @param {...any} children
 * @returns {HTMLElement}
 */
export function replace (element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

/**
 * A line saying what went wrong, in words (`data-testid="error"`).
 * @param {string} message
 * @returns {HTMLElement}
 */
export function errorLine (message) {
  return h('p', { class: 'error', role: 'alert', testid: 'error' }, message);
}

/**
 * A line saying something is on its way.
 * @param {string} message
 * @returns {HTMLElement}
 */
export function loadingLine (message) {
  return h('p', { class: 'loading' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), message);
}
