/** Terminal output helpers: tables for lists, a progress line for long work, input echoed safely. */

export function table(rows: Record<string, string>[], columns: string[]): string {
  if (rows.length === 0) return '(none)';
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(columns.map((c) => c.toUpperCase())), ...rows.map((r) => line(columns.map((c) => r[c] ?? '')))].join('\n');
}

/**
 * Progress on stderr: redrawn in place on a terminal, otherwise one line per 10% so logs stay readable. With no
 * total (work whose size is not known ahead), a running count: one line per 10 updates off a terminal.
 */
export function progressReporter(label: string, stream: NodeJS.WriteStream = process.stderr) {
  let lastDecile = -1;
  let updates = 0;
  return {
    update(done: number, total: number | null, extra = '') {
      const pct = total === null ? null : total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : 100;
      const count = pct === null ? done.toLocaleString('en') : `${done.toLocaleString('en')}/${total!.toLocaleString('en')} (${pct}%)`;
      const text = `${label}: ${count}${extra ? ' ' + extra : ''}`;
      if (stream.isTTY) stream.write(`\r${text}\x1b[K`);
      else if (pct === null ? updates++ % 10 === 0 : Math.floor(pct / 10) !== lastDecile) {
        if (pct !== null) lastDecile = Math.floor(pct / 10);
        stream.write(text + '\n');
      }
    },
    done() {
      if (stream.isTTY) stream.write('\n');
    },
  };
}

/** Allowed values as a message lists them: "owner, admin, auditor or user". */
export function oneOf(words: readonly string[]): string {
  return words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}

/** The most characters of someone's input a message repeats: enough to spot a typo. */
const ECHO_LIMIT = 80;
/** Characters a terminal would act on or hide: controls (escape sequences), format (bidi overrides), lone surrogates, line separators. */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;

/**
 * An argument as a message repeats it: in double quotes, unprintable characters and quotes escaped (`\u001b`,
 * `\"`), at most 80 characters and an ellipsis. A pasted escape sequence must not drive the terminal, and a
 * 100 KB argument must not become a 100 KB message.
 */
export function quoted(input: unknown): string {
  return `"${printable(String(input), (char) => char === '"' || char === '\\')}"`;
}

/**
 * Text that carries someone's input, made safe to print as `quoted` makes an argument (unprintable characters
 * escaped, at most 80 characters and an ellipsis), without the quotes: for messages composed elsewhere (node:util's
 * "Unknown option '…'"). `escaped` characters get a backslash.
 */
export function printable(text: string, escaped: (char: string) => boolean = () => false): string {
  let shown = '';
  for (const char of text) {
    const piece = escaped(char) ? '\\' + char : UNPRINTABLE.test(char) ? escapeCode(char) : char;
    if (shown.length + piece.length > ECHO_LIMIT) return `${shown}…`;
    shown += piece;
  }
  return shown;
}

function escapeCode(char: string): string {
  const hex = char.codePointAt(0)!.toString(16).padStart(4, '0');
  return hex.length > 4 ? `\\u{${hex}}` : `\\u${hex}`;
}
