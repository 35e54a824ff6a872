import type { Me } from '../api/session';
import { pagesFor } from '../api/session';
import { escapeHtml } from '../ui';

const what: Record<string, string> = {
  '/annotate': 'Label the next case of a dataset: paint the segments on the images and save a label revision.',
  '/review': 'Open a study (as a PACS does, /review?study=UID) with the AI result over it; accept, reject or correct it.',
  '/review-labels': 'Approve or reject the labels annotators submitted, oldest first, each drawn over its images.',
  '/datasets': 'Datasets: their labels, input channels and cases per label status; ML engineers create them and define their labels.',
  '/models': 'Models and their versions: stage, metrics and what each was trained on.',
  '/operations': 'What the platform received and did: routing, results and deliveries, PACS imports, the access audit.',
};

export async function showHome(main: HTMLElement, me: Me): Promise<void> {
  const pages = pagesFor(me.roles);
  main.innerHTML = `<h1>cl2</h1><p>Signed in as <strong>${escapeHtml(me.name)}</strong>.</p>
    ${pages.length === 0 ? '<p>Your roles open no page of this app; ask an administrator for a role.</p>' : ''}
    <ul class="cards">${pages
      .map((page) => `<li><a href="${page.path}">${page.title}</a><p>${what[page.path] ?? ''}</p></li>`)
      .join('')}</ul>
    <p><small>The platform's state: <a href="/status">/status</a>.</small></p>`;
}
