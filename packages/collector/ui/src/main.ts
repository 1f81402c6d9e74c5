// Entry point loaded by index.html.

import { ExplorerApp } from './app.js';

const root = document.getElementById('app');
const live = document.getElementById('live');
if (root && live) new ExplorerApp(root, live).start();
