// How the registry writes a version's metrics.

export function formatMetrics(metrics: { name: string; value: number }[]): string {
  return metrics.map((metric) => `${metric.name} ${Number.isInteger(metric.value) ? metric.value : metric.value.toFixed(3)}`).join(', ');
}
