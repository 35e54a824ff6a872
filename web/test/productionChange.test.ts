import { describe, expect, it } from 'vitest';
import { changeInput, confirmationQuestion, type ChangeTarget } from '../src/pages/productionChange';

const liver: ChangeTarget = { modelId: 'm1', modelName: 'liver', expectedVersion: 7, version: { id: 'v2', number: 2 }, productionNumber: 1 };

describe('a promotion or rollback from the registry', () => {
  it('asks about the version it will put into production', () => {
    expect(confirmationQuestion('promote', liver)).toBe('Put v2 of liver into production?');
    expect(confirmationQuestion('rollback', liver)).toBe('Roll liver back: take v1 out of production and restore the version it replaced?');
  });

  it('sends the reason trimmed', () => {
    expect(changeInput('promote', liver, '  better dice on the night scanner \n')).toEqual(
      { modelId: 'm1', versionId: 'v2', expectedVersion: 7, reason: 'better dice on the night scanner' });
    expect(changeInput('rollback', liver, 'misses small lesions')).toEqual({ modelId: 'm1', expectedVersion: 7, reason: 'misses small lesions' });
  });

  it('leaves a blank reason out', () => {
    expect(changeInput('promote', liver, '   ')).toEqual({ modelId: 'm1', versionId: 'v2', expectedVersion: 7 });
    expect(changeInput('rollback', liver, '')).toEqual({ modelId: 'm1', expectedVersion: 7 });
  });
});
