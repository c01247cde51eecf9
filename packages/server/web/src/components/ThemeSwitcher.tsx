import { useId, useState } from 'react';
import { useT } from '../i18n/I18n.tsx';
import { applyTheme, storedTheme, THEMES, type Theme } from '../theme.ts';

const LABELS = { system: 'theme.system', light: 'theme.light', dark: 'theme.dark' } as const;

/** Light, dark, or as the system says (the default). */
export function ThemeSwitcher() {
  const t = useT();
  const id = useId();
  const [theme, setTheme] = useState<Theme>(storedTheme);
  return (
    <div className="theme-switcher">
      <label htmlFor={id} className="visually-hidden">
        {t('theme.label')}
      </label>
      <select
        id={id}
        value={theme}
        onChange={(event) => {
          const next = event.target.value as Theme;
          applyTheme(next);
          setTheme(next);
        }}
      >
        {THEMES.map((value) => (
          <option key={value} value={value}>
            {t(LABELS[value])}
          </option>
        ))}
      </select>
    </div>
  );
}
