// A training job's loss per epoch as an inline SVG polyline (no chart library: a registry shows a few dozen epochs).

export interface EpochPoint {
  epoch: number;
  loss: number;
}

/** The polyline's points in a width×height box, epochs left to right, the highest loss at the top. */
export function curvePoints(points: EpochPoint[], width: number, height: number): string {
  if (points.length === 0) return '';
  const epochs = points.map((p) => p.epoch);
  const losses = points.map((p) => p.loss);
  const [minEpoch, maxEpoch] = [Math.min(...epochs), Math.max(...epochs)];
  const [minLoss, maxLoss] = [Math.min(...losses), Math.max(...losses)];
  const x = (epoch: number) => (maxEpoch === minEpoch ? width / 2 : ((epoch - minEpoch) / (maxEpoch - minEpoch)) * width);
  const y = (loss: number) => (maxLoss === minLoss ? height / 2 : ((maxLoss - loss) / (maxLoss - minLoss)) * height);
  return points.map((p) => `${x(p.epoch).toFixed(1)},${y(p.loss).toFixed(1)}`).join(' ');
}

export function lossCurve(points: EpochPoint[]): string {
  return `<svg class="loss-curve" viewBox="-4 -4 208 68" width="208" height="68" role="img" aria-label="Loss per epoch">
    <polyline fill="none" stroke="currentColor" stroke-width="2" points="${curvePoints(points, 200, 60)}"></polyline></svg>`;
}
