// Hash routes: `#/`, `#/m/<moderator>`, `#/item/<moderator>/<id>`, `#/share`,
// `#/queue/<moderator>`.

/**
 * The route of a location hash: its name and parameters; `notFound` for anything else.
 * @param {string} hash such as `#/item/nW34…/00ab…`
 * @returns {{name: string, params: Record<string, string>}}
 */
export function parseRoute (hash) {
  const [path, query = ''] = hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean).map((part) => {
    try {
      return decodeURIComponent(part);
    } catch {
      return part;
    }
  });
  const search = Object.fromEntries(new URLSearchParams(query));
  if (parts.length === 0) {
    return { name: 'moderators', params: {} };
  }
  if (parts[0] === 'm' && parts.length === 2) {
    return { name: 'catalog', params: { moderator: parts[1] } };
  }
  if (parts[0] === 'item' && parts.length === 3) {
    return { name: 'item', params: { moderator: parts[1], id: parts[2] } };
  }
  if (parts[0] === 'share' && parts.length === 1) {
    return { name: 'share', params: { moderator: search.moderator ?? '' } };
  }
  if (parts[0] === 'queue' && parts.length === 2) {
    return { name: 'queue', params: { moderator: parts[1] } };
  }
  return { name: 'notFound', params: { path } };
}

/**
 * Renders the view of the current hash into `root`, and again at every hash change; each
 * view returns its cleanup, called before the next one renders.
 * @param {HTMLElement} root
 * @param {Record<string, (root: HTMLElement, params: Record<string, string>) => (() => void)>} views
 * @returns {{refresh: () => void}}
 */
export function startRouter (root, views) {
  let cleanup = () => {};
  const render = () => {
    cleanup();
    const { name, params } = parseRoute(window.location.hash);
    const view = views[name] ?? views.notFound;
    root.replaceChildren();
    window.scrollTo(0, 0);
    cleanup = view(root, params) ?? (() => {});
  };
  window.addEventListener('hashchange', render);
  render();
  return { refresh: render };
}
