#!/usr/bin/env node
// Entry point for `signet` / `npx signet` / `npm start`. Signet ships as TypeScript run
// through tsx's loader, so there is no build step between a clone and a running server.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
