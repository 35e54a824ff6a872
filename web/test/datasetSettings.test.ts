import { describe, expect, it } from 'vitest';
import { isScored, splitInput, splitText, strategyInput, strategyText } from '../src/labels/datasetSettings';

describe('the active-learning strategy', () => {
  it('says a dataset that chose none hands out the oldest case first', () => {
    expect(strategyText(null, [])).toBe('first (oldest case first)');
  });

  it('names the model a scored strategy ranks by, or its id when the page did not load it', () => {
    const models = [{ id: 'm1', name: 'liver-seg' }];

    expect(strategyText({ strategy: 'entropy', modelId: 'm1' }, models)).toBe('entropy, scored by liver-seg');
    expect(strategyText({ strategy: 'entropy', modelId: 'm2' }, models)).toBe('entropy, scored by model m2');
    expect(strategyText({ strategy: 'random', modelId: null }, models)).toBe('random');
  });

  it('knows which strategies need a model', () => {
    expect(['first', 'random', 'entropy', 'mc-dropout', 'diverse-entropy', 'unknown'].map(isScored))
      .toEqual([false, false, true, true, true, false]);
  });

  it('sends a model only with a scored strategy', () => {
    expect(strategyInput('d', 'entropy', 'm1')).toEqual({ datasetId: 'd', strategy: 'entropy', modelId: 'm1' });
    expect(strategyInput('d', 'random', 'm1')).toEqual({ datasetId: 'd', strategy: 'random', modelId: null });
  });

  it('sends a scored strategy without a model as it is, for the API to say what to choose', () => {
    expect(strategyInput('d', 'mc-dropout', '')).toEqual({ datasetId: 'd', strategy: 'mc-dropout', modelId: null });
  });
});

describe('the split form', () => {
  it('reads fractions as numbers or percentages and the seed as a whole number', () => {
    expect(splitInput(' 0.2 ', '10%', '42')).toEqual({ validationFraction: 0.2, testFraction: 0.1, seed: 42 });
    expect(splitInput('0', '0.25', '-7')).toEqual({ validationFraction: 0, testFraction: 0.25, seed: -7 });
  });

  it('refuses a fraction that is not a number, saying what to type', () => {
    expect(() => splitInput('a fifth', '0.1', '1'))
      .toThrow('Give the validation fraction as a number from 0 to 1 (e.g. 0.2) or a percentage (e.g. 20%).');
    expect(() => splitInput('0.2', '', '1')).toThrow(/test fraction/);
    expect(() => splitInput('0.2', '%', '1')).toThrow(/test fraction/);
  });

  it('refuses a seed that is not a whole number a 32-bit integer holds', () => {
    for (const seed of ['', '4.2', 'abc', '2147483648']) expect(() => splitInput('0.2', '0.1', seed)).toThrow(/seed as a whole number/);
    expect(splitInput('0.2', '0.1', '2147483647').seed).toBe(2147483647);
  });

  it('leaves fractions out of range to the API, whose message says what it allows', () => {
    expect(splitInput('0.6', '0.5', '1')).toEqual({ validationFraction: 0.6, testFraction: 0.5, seed: 1 });
  });

  it('puts a fixed split in words by the cases in each part', () => {
    expect(splitText(null)).toBe('not fixed');
    expect(splitText({ seed: 42, trainCaseIds: ['a', 'b', 'c'], validationCaseIds: ['d'], testCaseIds: [] }))
      .toBe('fixed: 3 train · 1 validation · 0 test, seed 42');
  });
});
