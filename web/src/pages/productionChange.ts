// Promote and roll back as the registry asks for them: a confirmation that says what will change, with an optional
// reason that labeling keeps on the event and the production timeline shows. Pure, so the page and its tests share it.

/** labeling's limit on a reason (StatedReason.MaxLength): longer ones are refused with REASON_TOO_LONG. */
export const maxReasonLength = 1000;

export type ProductionAction = 'promote' | 'rollback';

export interface ChangeTarget {
  modelId: string;
  modelName: string;
  /** The model's version the page read: labeling refuses the change if anyone changed the model since. */
  expectedVersion: number;
  /** For a promotion: the version to put into production. */
  version?: { id: string; number: number };
  /** For a rollback: the number of the version in production now. */
  productionNumber?: number;
}

/** The question the confirmation asks. */
export function confirmationQuestion(action: ProductionAction, target: ChangeTarget): string {
  return action === 'promote'
    ? `Put v${target.version!.number} of ${target.modelName} into production?`
    : `Roll ${target.modelName} back: take v${target.productionNumber ?? '?'} out of production and restore the version it replaced?`;
}

/** The mutation's input: the reason trimmed, and left out when blank (the timeline then shows none). */
export function changeInput(action: ProductionAction, target: ChangeTarget, reasonText: string): Record<string, unknown> {
  const reason = reasonText.trim();
  return {
    modelId: target.modelId,
    ...(action === 'promote' ? { versionId: target.version!.id } : {}),
    expectedVersion: target.expectedVersion,
    ...(reason ? { reason } : {}),
  };
}
