import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent, type ReactNode } from 'react';
import { errorText } from '../errors.ts';
import { useFmt } from '../i18n/I18n.tsx';

interface ModalProps {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ReactNode;
  className?: string;
}

const FOCUSABLE = 'button:not([disabled]), [href], input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * Tab from the last control wraps to the first (and Shift+Tab the other way). showModal() already makes
 * the page behind inert, but browsers let Tab leave the dialog for their own toolbar; a keyboard user
 * would then be lost outside a modal they still have to answer.
 */
function wrapTab(event: KeyboardEvent<HTMLDialogElement>) {
  if (event.key !== 'Tab') return;
  const controls = [...event.currentTarget.querySelectorAll<HTMLElement>(FOCUSABLE)];
  const first = controls[0];
  const last = controls[controls.length - 1];
  if (!first || !last) return;
  if (event.shiftKey && document.activeElement === first) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && document.activeElement === last) {
    event.preventDefault();
    first.focus();
  }
}

/**
 * A modal on the native <dialog>: showModal() makes the rest of the page inert, Escape closes it,
 * and the browser returns focus to the button that opened it.
 */
export function Modal({ open, title, onClose, children, className }: ModalProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      dialog.showModal();
      // The element marked data-autofocus (Cancel, or the first field) gets focus, not whatever comes first.
      dialog.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    }
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      className={`dialog ${className ?? ''}`}
      aria-labelledby={titleId}
      onKeyDown={wrapTab}
      onCancel={(event) => {
        // Escape: let React state drive closing so `open` and the element never disagree.
        event.preventDefault();
        onClose();
      }}
    >
      {open ? (
        <>
          <h2 id={titleId} className="dialog-title">
            {title}
          </h2>
          {children}
        </>
      ) : null}
    </dialog>
  );
}

interface ConfirmProps {
  open: boolean;
  title: string;
  confirmLabel: string;
  /** Runs the action; the dialog stays open with the error if it fails. */
  onConfirm: (form: FormData) => Promise<void>;
  onClose: () => void;
  children?: ReactNode;
  danger?: boolean;
  /** False when a field in `children` carries data-autofocus instead. */
  autoFocusCancel?: boolean;
}

/** "Are you sure?" with Cancel focused first, so Enter on an accidental open does nothing harmful. */
export function ConfirmDialog({ open, title, confirmLabel, onConfirm, onClose, children, danger = true, autoFocusCancel = true }: ConfirmProps) {
  const f = useFmt();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (open) {
      setError(null);
      setBusy(false);
    }
  }, [open]);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onConfirm(new FormData(event.currentTarget));
      onClose();
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  }

  return (
    <Modal open={open} title={title} onClose={onClose}>
      <form onSubmit={submit} className="dialog-form">
        <div className="dialog-body">{children}</div>
        {error ? (
          <p className="error" role="alert">
            {errorText(f, error)}
          </p>
        ) : null}
        <div className="dialog-actions">
          <button type="button" className="button secondary" onClick={onClose} data-autofocus={autoFocusCancel ? '' : undefined}>
            {f.t('action.cancel')}
          </button>
          <button type="submit" className={`button ${danger ? 'danger' : 'primary'}`} disabled={busy}>
            {busy ? f.t('common.working') : confirmLabel}
          </button>
        </div>
      </form>
    </Modal>
  );
}

/**
 * A list inside a dialog that may be longer than the box: says how many there are, and the scroll box is a
 * focusable, labelled region so keyboard users can scroll it (axe: scrollable-region-focusable).
 */
export function DialogList({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="dialog-list" role="region" aria-label={label} tabIndex={0}>
      <ul>{children}</ul>
    </div>
  );
}
