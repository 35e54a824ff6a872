import './style.css';
import { pagesFor, signInUrl, whoAmI, type Me } from './api/session';
import { showAnnotate } from './pages/annotate';
import { showHome } from './pages/home';
import { showModels } from './pages/models';
import { showOperations } from './pages/operations';
import { showReview } from './pages/review';
import { showViewer } from './pages/viewer';
import { escapeHtml, showError } from './ui';

export type Page = (main: HTMLElement, me: Me, query: URLSearchParams) => Promise<void>;

const routes: Record<string, Page> = {
  '/': showHome,
  '/annotate': showAnnotate,
  '/review': showReview,
  '/models': showModels,
  '/viewer': showViewer,
  '/operations': showOperations,
};

async function start(): Promise<void> {
  const main = document.getElementById('page')!;
  const nav = document.getElementById('nav')!;
  const who = document.getElementById('who')!;
  const me = await whoAmI();
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
  const page = routes[location.pathname] ?? showHome;
  try {
    await page(main, me, new URLSearchParams(location.search));
  } catch (error) {
    showError(main, error);
  }
  document.body.dataset.ready = 'true';
}

void start();
