#!/usr/bin/env node
// The package's command. The TypeScript sources are compiled into dist/ by `npm install` (prepare).
import('../dist/cli.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/cli.js')) {
    console.error('scan2food: dist/ is missing. Run `npm install` (or `npm run build`) first.');
    process.exit(1);
  }
  throw err;
});
