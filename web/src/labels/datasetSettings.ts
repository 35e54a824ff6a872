// A dataset's active-learning strategy and its fixed split, as the Datasets page shows and sends them. The strategy
// names are the ones labeling registers (Cases/ActiveLearningStrategy.cs); the API has no query listing them, so they
// are named here, and a name it no longer knows is refused by setActiveLearningStrategy with the names it does.

/** A strategy nextCase can hand cases out by; a scored one ranks them by what a model's production version computes. */
export interface Strategy {
  name: string;
  scored: boolean;
  description: string;
}

export const strategies: Strategy[] = [
  { name: 'first', scored: false, description: 'oldest case first' },
  { name: 'random', scored: false, description: 'a random free case' },
  { name: 'entropy', scored: true, description: 'the case the model is least sure of first (entropy)' },
  { name: 'mc-dropout', scored: true, description: 'the case the model is least sure of first (dropout variance)' },
  { name: 'diverse-entropy', scored: true, description: 'the least sure case of the least worked-on cluster' },
];

export interface ActiveLearning {
  strategy: string;
  modelId: string | null;
}

export interface ModelChoice {
  id: string;
  name: string;
}

/** Whether a strategy needs a model; a name the page does not know is sent as typed and the API says what it needs. */
export function isScored(strategy: string): boolean {
  return strategies.find((known) => known.name === strategy)?.scored ?? false;
}

/** The strategy in words: "entropy, scored by liver-seg"; a dataset that chose none hands out the oldest case first. */
export function strategyText(activeLearning: ActiveLearning | null, models: ModelChoice[]): string {
  if (!activeLearning) return 'first (oldest case first)';
  if (!activeLearning.modelId) return activeLearning.strategy;
  const model = models.find((m) => m.id === activeLearning.modelId);
  return `${activeLearning.strategy}, scored by ${model ? model.name : `model ${activeLearning.modelId}`}`;
}

/**
 * The input of setActiveLearningStrategy: a model only for a scored strategy (the API keeps none for the others). A
 * scored strategy without a model is sent as it is: the API's refusal says what to choose.
 */
export function strategyInput(datasetId: string, strategy: string, modelId: string): { datasetId: string; strategy: string; modelId: string | null } {
  return { datasetId, strategy, modelId: isScored(strategy) && modelId !== '' ? modelId : null };
}

export interface SplitInput {
  validationFraction: number;
  testFraction: number;
  seed: number;
}

/**
 * The input of fixDatasetSplit from what was typed: fractions as "0.2" or "20%", the seed a whole number. Only what
 * GraphQL could not carry is refused here; fractions out of range are left to FixDatasetSplit.Decide, whose message
 * says what it allows.
 */
export function splitInput(validation: string, test: string, seed: string): SplitInput {
  const fraction = (typed: string, what: string) => {
    const text = typed.trim();
    const percent = text.endsWith('%');
    const value = Number(percent ? text.slice(0, -1) : text);
    if (text === '' || text === '%' || !Number.isFinite(value)) {
      throw new Error(`Give the ${what} fraction as a number from 0 to 1 (e.g. 0.2) or a percentage (e.g. 20%).`);
    }
    return percent ? value / 100 : value;
  };
  const seedText = seed.trim();
  if (!/^-?\d{1,10}$/.test(seedText) || Math.abs(Number(seedText)) > 2 ** 31 - 1) {
    throw new Error('Give the seed as a whole number (e.g. 42); the same seed splits the same studies the same way.');
  }
  return { validationFraction: fraction(validation, 'validation'), testFraction: fraction(test, 'test'), seed: Number(seedText) };
}

export interface DatasetSplit {
  seed: number;
  trainCaseIds: string[];
  validationCaseIds: string[];
  testCaseIds: string[];
}

/** The split in words: "fixed: 6 train · 2 validation · 2 test, seed 42", or "not fixed". */
export function splitText(split: DatasetSplit | null): string {
  if (!split) return 'not fixed';
  return `fixed: ${split.trainCaseIds.length} train · ${split.validationCaseIds.length} validation · ${split.testCaseIds.length} test, seed ${split.seed}`;
}
