import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { storeFromLink } from './store/link.ts';
import { App } from './ui/App.tsx';
import './ui/app.css';

const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root element');

createRoot(root).render(
  <StrictMode>
    <App store={storeFromLink(window.location.hash)} />
  </StrictMode>,
);
