import './style.css';
import { pagesFor, signInUrl, whoAmI, type Me } from './api/session';
import { prefetchViewer } from './viewer/viewerPrefetch';
import { escapeHtml, showError } from './ui';

export type Page = (main: HTMLElement, me: Me, query: URLSearchParams) => Promise<void>;

// Each page's code is loaded when it is opened: this first script stays small, so the session check and the viewer's
// first archive requests leave before Cornerstone3D (most of the app's code) has been loaded and run.
const routes: Record<string, () => Promise<Page>> = {
  '/': () => import('./pages/home').then((page) => page.showHome),
  '/annotate': () => import('./pages/annotate').then((page) => page.showAnnotate),
  '/review': () => import('./pages/review').then((page) => page.showReview),
  '/review-labels': () => import('./pages/reviewLabels').then((page) => page.showReviewLabels),
  '/datasets': () => import('./pages/datasets').then((page) => page.showDatasets),
  '/models': () => import('./pages/models').then((page) => page.showModels),
  '/viewer': () => import('./pages/viewer').then((page) => page.showViewer),
  '/operations': () => import('./pages/operations').then((page) => page.showOperations),
};

async function start(): Promise<void> {
  // For `./cl2 bench viewer` (docs/web.md): this script runs, the session is known, the page's own code has been loaded.
  performance.mark('cl2:script');
  const main = document.getElementById('page')!;
  const nav = document.getElementById('nav')!;
  const who = document.getElementById('who')!;
  const query = new URLSearchParams(location.search);
  const pageCode = (routes[location.pathname] ?? routes['/'])();
  pageCode.then(() => performance.mark('cl2:page-code'), () => undefined); // a failure is reported below, once signed in
  if (location.pathname === '/viewer') prefetchViewer(query);
  const me = await whoAmI();
  performance.mark('cl2:signed-in');
  const here = location.pathname + location.search;
  if (!me.signedIn) {
    who.innerHTML = `<a class="button" href="${signInUrl(here)}">Sign in</a>`;
    main.innerHTML = `<h1>Sign in to cl2</h1><p>The annotator workspace, the review page and the model registry need a
      signed-in user. <a href="${signInUrl(here)}">Sign in</a> with your hospital account (on a machine set up with
      <code>./cl2 up</code>: the seeded users' passwords are in <code>.cl2/identity/secrets/users/</code>).</p>`;
    document.body.dataset.ready = 'signed-out';
    return;
  }
  nav.innerHTML = pagesFor(me.roles)
    .map((page) => `<a href="${page.path}"${location.pathname === page.path ? ' aria-current="page"' : ''}>${page.title}</a>`)
    .join('');
  who.innerHTML = `<span data-testid="user">${escapeHtml(me.name)}</span> <small>(${me.roles.map(escapeHtml).join(', ')})</small>
    <form method="post" action="/account/signout"><button type="submit">Sign out</button></form>`;
  try {
    await (await pageCode)(main, me, query);
  } catch (error) {
    showError(main, error);
  }
  document.body.dataset.ready = 'true';
}

void start();
