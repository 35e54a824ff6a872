// A radiologist's decision on a submitted label: Approve (key A), or Reject with a reason, which is required (key R goes
// to the reason; Ctrl+Enter there rejects). The reason typed stays in its field until the decision is recorded, so a
// refused decision loses nothing.

import { element } from '../ui';

export type Decision = 'APPROVE' | 'REJECT';

export interface DecisionForm {
  element: HTMLFormElement;
  /** Enables the buttons (once the label is shown) or disables them (while a decision is sent, or after a refusal). */
  enable(enabled: boolean): void;
}

/** @param decide sends the decision; the form is disabled until it settles */
export function decisionForm(reviewed: string, comment: string, decide: (decision: Decision, comment: string | null) => Promise<void>): DecisionForm {
  const form = element<HTMLFormElement>(`<form class="decision" aria-label="Decision on ${reviewed}">
    <label for="review-comment">Reason <small>(required to reject; sent with an approval as a comment)</small></label>
    <textarea id="review-comment" name="comment" rows="3" maxlength="1000"></textarea>
    <div class="buttons"><button type="submit" value="APPROVE" class="primary" aria-keyshortcuts="A" title="A">Approve</button>
    <button type="submit" value="REJECT" class="danger" aria-keyshortcuts="Control+Enter" title="Ctrl+Enter in the reason">Reject</button></div>
    <p class="hint"><kbd>A</kbd> approves; <kbd>R</kbd> goes to the reason, where <kbd>Ctrl</kbd>+<kbd>Enter</kbd> rejects.</p></form>`);
  const reason = form.querySelector('textarea')!;
  reason.value = comment;
  const buttons = [...form.querySelectorAll<HTMLButtonElement>('button')];
  const enable = (enabled: boolean) => buttons.forEach((button) => { button.disabled = !enabled; });
  enable(false);
  const submit = async (decision: Decision) => {
    if (buttons[0].disabled) return;
    const text = reason.value.trim();
    if (decision === 'REJECT' && !text) {
      reason.setCustomValidity('Say why the label is rejected: the annotator reads the reason.');
      reason.reportValidity();
      reason.focus();
      return;
    }
    reason.setCustomValidity('');
    enable(false);
    await decide(decision, text || null);
  };
  reason.oninput = () => reason.setCustomValidity('');
  form.onsubmit = (event) => {
    event.preventDefault();
    void submit(((event as SubmitEvent).submitter as HTMLButtonElement).value as Decision);
  };
  reason.onkeydown = (event) => {
    if (event.ctrlKey && event.key === 'Enter') {
      event.preventDefault();
      void submit('REJECT');
    }
  };
  document.onkeydown = (event) => {
    if (event.ctrlKey || event.altKey || event.metaKey || (event.target as HTMLElement).closest('input, select, textarea')) return;
    const key = event.key.toLowerCase();
    if (key === 'a') void submit('APPROVE');
    else if (key === 'r') {
      event.preventDefault(); // the R is not typed into the reason
      reason.focus();
    }
  };
  return { element: form, enable };
}
