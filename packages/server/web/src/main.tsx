import { QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { I18nProvider } from './i18n/I18n.tsx';
import { createQueryClient } from './queries.ts';
import { applyTheme, storedTheme } from './theme.ts';
import './styles.css';

// Before the first render, so a chosen dark theme never flashes light.
applyTheme(storedTheme());

const queryClient = createQueryClient();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <I18nProvider>
      <QueryClientProvider client={queryClient}>
        <App />
      </QueryClientProvider>
    </I18nProvider>
  </StrictMode>,
);
