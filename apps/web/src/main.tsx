import './zod-config'; // first: before any schema is created
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import './styles/base.css';
import './styles/shell.css';
import './styles/doors.css';
import './styles/lists.css';

const root = document.getElementById('root');
if (root)
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );

// The shell is cached by the service worker so the app opens offline on its last known state.
if ('serviceWorker' in navigator && import.meta.env.PROD) {
  window.addEventListener('load', () => {
    navigator.serviceWorker
      .register(`${import.meta.env.BASE_URL}sw.js`)
      .catch(() => {
        // No service worker (private mode, old browser): the app works online all the same.
      });
  });
}
