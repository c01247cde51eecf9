import type { Page } from 'playwright-core';

/**
 * What is wrong with the page's tables, as they are now: a table without a caption (a screen reader's list of
 * tables names each by it), a header cell without `scope`, or, in a `.stack-on-mobile` table, a body cell whose
 * `data-label` is not its column's header. Where such a table is stacked (phones), each cell must also show that
 * label above its content; an actions cell is the exception (its buttons name themselves).
 */
export function tableProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    for (const [t, table] of [...document.querySelectorAll('table')].entries()) {
      const name = table.caption?.textContent?.trim() || `table ${t + 1}`;
      if (!table.caption?.textContent?.trim()) problems.push(`${name}: no caption`);
      for (const th of table.querySelectorAll('thead th')) if (th.getAttribute('scope') !== 'col') problems.push(`${name}: column header "${th.textContent}" without scope="col"`);
      for (const th of table.querySelectorAll('tbody th')) if (th.getAttribute('scope') !== 'row') problems.push(`${name}: row header "${th.textContent}" without scope="row"`);
      if (!table.classList.contains('stack-on-mobile')) continue;
      const headers = [...table.querySelectorAll('thead th')].map((th) => th.textContent?.trim() ?? '');
      const stacked = getComputedStyle(table).display === 'block';
      for (const [r, row] of [...table.querySelectorAll('tbody tr')].entries()) {
        for (const [c, cell] of [...row.children].entries()) {
          if (cell.classList.contains('actions')) continue;
          const label = cell.getAttribute('data-label');
          const where = `${name}, row ${r + 1}, cell ${c + 1}`;
          if (label !== headers[c]) problems.push(`${where}: labelled ${JSON.stringify(label)}, its column "${headers[c]}"`);
          else if (stacked && getComputedStyle(cell, '::before').content !== JSON.stringify(label)) problems.push(`${where}: label not shown`);
        }
      }
    }
    return problems;
  });
}
