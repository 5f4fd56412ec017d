// lrs.js: runs Learning Locker's xAPI statements service (npm xapi-statements)
// as a real LRS for the sync tests, in memory, bound to 127.0.0.1 on a free
// port; prints {"port": N} on stdout once listening. Stop it with SIGTERM.
//
// Two things differ from the package's own server.js, both on purpose:
// - it listens on 127.0.0.1 only (server.js listens on every interface);
// - its `more` links are fixed: xapi-statements 5.0.1 writes the agent filter
//   as "agent=[object Object]" and does not URL-encode the link
//   (dist/expressPresenter/utils/getStatements/getMoreLink.js), so following
//   `more` on a query by agent fails with "Expected valid JSON in query.agent".
//   The patch encodes each parameter; everything else is the LRS as published.
//
// Options (environment): LRS_SLOW_MS=N delays every answer by N ms (bench of
// a slow LRS), LRS_LOG=1 logs requests on stderr.
'use strict';
const path = require('path');
const os = require('os');
const fs = require('fs');

const storage = fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-lrs-'));
Object.assign(process.env, {
  AUTH_REPO: 'test',          // every credential is accepted (a test client)
  EVENTS_REPO: 'test',        // no Redis
  MODELS_REPO: 'memory',      // no MongoDB
  STORAGE_REPO: 'local',      // attachments in a temp folder
  FS_LOCAL_STORAGE_DIR: storage,
  EXPRESS_MORGAN_DIRECTORY: path.join(storage, 'accessLogs'),
  WINSTON_CONSOLE_LEVEL: process.env.LRS_LOG ? 'info' : 'error',
  SERVICE_AWAIT_UPDATES: 'true',
  EXPRESS_BODY_PARSER_LIMIT: '20mb',
});
process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE = '1';

const dist = path.dirname(require.resolve('xapi-statements/dist/server.js'));
const more = require(path.join(dist, 'expressPresenter/utils/getStatements/getMoreLink'));
more.default = (opts) => {
  if (opts.results.cursor === undefined) return '';
  const s = opts.statementsOpts, r = opts.resultOpts;
  const params = {
    agent: s.agent, activity: s.activity, verb: s.verb, related_agents: s.related_agents,
    related_activities: s.related_activities, registration: s.registration, since: s.since,
    until: s.until, ascending: s.ascending, limit: s.limit, skip: s.skip, format: r.format,
    attachments: r.attachments, langs: r.langs, cursor: opts.results.cursor,
  };
  const q = Object.entries(params)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => k + '=' + encodeURIComponent(typeof v === 'object' ? JSON.stringify(v) : String(v)))
    .join('&');
  return opts.urlPath + '?' + q;
};

const express = require('express');
const translatorFactory = require(path.join(dist, 'translatorFactory')).default;
const serviceFactory = require(path.join(dist, 'serviceFactory')).default;
const expressPresenter = require(path.join(dist, 'expressPresenter')).default;
const config = require(path.join(dist, 'config')).default;
const constants = require(path.join(dist, 'utils/constants'));
const logger = require(path.join(dist, 'logger')).default;
const tracker = require(path.join(dist, 'tracker')).default;

const app = express();
const slow = Number(process.env.LRS_SLOW_MS || 0);
let requests = 0;
app.use((req, res, next) => {
  requests++;
  if (process.env.LRS_LOG) process.stderr.write(`lrs: ${req.method} ${req.url.slice(0, 120)}\n`);
  if (slow > 0) setTimeout(next, slow); else next();
});
const presenter = expressPresenter({
  llClientInfoEndpoint: config.llClientInfoEndpoint,
  customRoute: config.express.customRoute,
  customRouteText: config.express.customRouteText,
  morganDirectory: config.express.morganDirectory,
  bodyParserLimit: config.express.bodyParserLimit,
  service: serviceFactory(),
  tracker,
  translator: translatorFactory(),
  logger,
});
app.use(constants.aboutRoute, presenter.aboutRouter);
app.use(constants.fullActivitiesRoute, presenter.fullActivitiesRouter);
app.use(constants.statementsRoute, presenter.statementsRouter);
// Test-only: how many HTTP requests reached the LRS.
app.get('/test/requests', (req, res) => res.json({ requests }));

const server = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: server.address().port, base: '/xAPI' }) + '\n');
});
server.keepAliveTimeout = 30000;
const stop = () => {
  server.close();
  fs.rmSync(storage, { recursive: true, force: true });
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// The harness holds our stdin: when it dies, so do we.
process.stdin.on('end', stop);
process.stdin.resume();
