// validate.js: checks statements with xapi-validation (Learning Locker's
// validator). Reads one JSON statement per line on stdin; prints one line
// per problem ("<id> <path>: <message>") and a final "checked N, problems M".
// Exit status 1 if there was any problem.
'use strict';
const validate = require('xapi-validation').default;
const lines = require('fs').readFileSync(0, 'utf8').split('\n').filter((l) => l.trim());
let problems = 0;
for (const line of lines) {
  const st = JSON.parse(line);
  for (const w of validate(st)) {
    problems++;
    console.log(`${st.id} ${(w.path || []).join('.')}: ${w.message} ${w.typeName || ''} ` +
      JSON.stringify(w.data));
  }
}
console.log(`checked ${lines.length}, problems ${problems}`);
process.exit(problems ? 1 : 0);
