// The model registry, read-only: each model, its versions with stage and metrics, and which one is in production.

import { graphql } from '../api/graphql';
import type { Me } from '../api/session';
import { escapeHtml } from '../ui';
import { formatMetrics } from './modelMetrics';

interface ModelRow {
  id: string;
  name: string;
  task: string;
  versions: { id: string; number: number; stage: string; registeredAt: string; metrics: { name: string; value: number }[] }[];
}

export async function showModels(main: HTMLElement, _me: Me): Promise<void> {
  const { models } = await graphql<{ models: { items: ModelRow[] } }>(
    '{ models(first: 100) { items { id name task versions { id number stage registeredAt metrics { name value } } } } }');
  main.innerHTML = '<h1>Models</h1>';
  if (models.items.length === 0) {
    main.insertAdjacentHTML('beforeend', '<p>No model is registered yet.</p>');
    return;
  }
  for (const model of models.items) {
    main.insertAdjacentHTML('beforeend', `<section class="model"><h2>${escapeHtml(model.name)} <small>${escapeHtml(model.task)}</small></h2>
      ${model.versions.length === 0 ? '<p>No version yet.</p>' : `<table><thead><tr><th>Version</th><th>Stage</th><th>Metrics</th><th>Registered</th></tr></thead><tbody>
      ${[...model.versions].reverse().map((v) => `<tr class="${v.stage.toLowerCase()}"><td>${v.number}</td><td>${v.stage}</td>
        <td>${escapeHtml(formatMetrics(v.metrics))}</td><td>${new Date(v.registeredAt).toLocaleString()}</td></tr>`).join('')}
      </tbody></table>`}</section>`);
  }
}
