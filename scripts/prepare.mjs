#!/usr/bin/env node
// npm install / npm ci run this: compile the server into dist/server and build the dashboard
// into dist/dashboard, so a clone runs with `npm start` straight after `npm install`. An install
// without dev dependencies (npm ci --omit=dev) has neither TypeScript nor Vite: say so instead
// of failing the install. Such an install runs a dist/ built elsewhere (the Dockerfile's build
// stage), and the server answers /dashboard with how to build it when that part is missing.
import { buildDashboard, buildServer, devTool } from './build.mjs';

if (!devTool('typescript', 'bin/tsc') || !devTool('vite', 'bin/vite.js')) {
  console.warn('signet: dev dependencies are not installed, so nothing was built. Run `npm run build` where they are (npm start needs dist/server).');
  process.exit(0);
}
try {
  buildServer();
  buildDashboard();
} catch (err) {
  console.error(`signet: ${err.message}`);
  process.exit(1);
}
