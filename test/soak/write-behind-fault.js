/**
 * The soak test's test-only fault switch (SOAK_FAULT=write-behind): preloaded into the server, it
 * makes every write answer 200 at once and do its work 300 ms later — a write-behind cache. A
 * SIGKILL in that window loses writes the users were told were saved, and the soak test must go red.
 * Never loaded by the application itself.
 */
const configureModule = require('../../src/http/configure-http-app.ts');
const original = configureModule.configureHttpApp;

configureModule.configureHttpApp = function configureWithWriteBehind(app, config) {
  original(app, config);
  app.use((request, response, next) => {
    if (request.method === 'GET' || request.path === '/api/auth/login') return next();
    response.status(200).json({ acknowledged: true });
    setTimeout(next, 300);
  });
};
