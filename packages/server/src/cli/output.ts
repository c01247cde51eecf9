/** Terminal output helpers: tables for lists, a progress line for long work. */
export function table(rows: Record<string, string>[], columns: string[]): string {
  if (rows.length === 0) return '(none)';
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(columns.map((c) => c.toUpperCase())), ...rows.map((r) => line(columns.map((c) => r[c] ?? '')))].join('\n');
}

/**
 * Progress on stderr: redrawn in place on a terminal, otherwise one line per 10% so logs stay readable.
 */
export function progressReporter(label: string, stream: NodeJS.WriteStream = process.stderr) {
  let lastDecile = -1;
  return {
    update(done: number, total: number, extra = '') {
      const pct = total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : 100;
      const text = `${label}: ${done.toLocaleString('en')}/${total.toLocaleString('en')} (${pct}%)${extra ? ' ' + extra : ''}`;
      if (stream.isTTY) stream.write(`\r${text}\x1b[K`);
      else if (Math.floor(pct / 10) !== lastDecile) {
        lastDecile = Math.floor(pct / 10);
        stream.write(text + '\n');
      }
    },
    done() {
      if (stream.isTTY) stream.write('\n');
    },
  };
}
