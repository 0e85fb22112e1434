// Validates a compose file against the compose-spec JSON schema shipped by npm `dclint`, then checks
// Sluice's own deployment rules. Run by .ci/checks/compose.sh, which installs the npm packages into a
// cache directory outside the repo and passes it as SLUICE_CI_NODE_MODULES.
'use strict';
const fs = require('fs');
const path = require('path');
const { createRequire } = require('module');

const modules = process.env.SLUICE_CI_NODE_MODULES;
if (!modules) { console.error('SLUICE_CI_NODE_MODULES is not set (run .ci/checks/compose.sh)'); process.exit(2); }
const req = createRequire(path.join(path.resolve(modules), 'noop.js'));
const YAML = req('yaml');
const Ajv = req('ajv');
const addFormats = req('ajv-formats');

const composeFile = process.argv[2] || 'docker-compose.yml';
const RUNTIME_PROFILES = ['vllm', 'ollama', 'llamacpp', 'tgi', 'sglang', 'localai', 'demo'];
// Port each runtime listens on inside its container (docs: shared protocols §4.1; TGI's image uses 80).
const RUNTIME_PORTS = { vllm: 8000, ollama: 11434, llamacpp: 8080, tgi: 80, sglang: 30000, localai: 8080 };
const errors = [];
const fail = (msg) => errors.push(msg);

// ---- YAML with anchors and merge keys, as docker compose reads it --------------------------------
const src = fs.readFileSync(composeFile, 'utf8');
const doc = YAML.parseDocument(src, { merge: true, uniqueKeys: true, prettyErrors: true });
for (const e of doc.errors) fail(`${composeFile}: YAML: ${e.message}`);
for (const w of doc.warnings) fail(`${composeFile}: YAML: ${w.message}`);
if (doc.errors.length) report();
const raw = doc.toJS({ maxAliasCount: 1000 });

// ---- compose interpolation: $$, $VAR, ${VAR}, ${VAR:-d}, ${VAR-d}, ${VAR:?e}, ${VAR?e}, ${VAR:+a}, ${VAR+a}
const referenced = new Set();
function interpolate(s, env, where) {
  const re = /\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])((?:[^{}]|\{[^{}]*\})*))?\}|([A-Za-z_][A-Za-z0-9_]*)|(\{[^}]*\}?))/g;
  return s.replace(re, (m, dollar, name, op, arg, bare, bad) => {
    if (dollar) return '$';
    if (bad !== undefined) { fail(`${where}: invalid interpolation ${m}`); return ''; }
    const n = name || bare;
    referenced.add(n);
    const set = Object.prototype.hasOwnProperty.call(env, n);
    const val = set ? env[n] : undefined;
    const nonEmpty = set && val !== '';
    const sub = () => interpolate(arg || '', env, where);
    switch (op) {
      case undefined: return set ? val : '';
      case ':-': return nonEmpty ? val : sub();
      case '-': return set ? val : sub();
      case ':?': if (!nonEmpty) fail(`${where}: \${${n}} is required (${arg})`); return val || '';
      case '?': if (!set) fail(`${where}: \${${n}} is required (${arg})`); return val || '';
      case ':+': return nonEmpty ? sub() : '';
      case '+': return set ? sub() : '';
    }
    return '';
  });
}
function interpolateAll(v, env, where) {
  if (typeof v === 'string') return interpolate(v, env, where);
  if (Array.isArray(v)) return v.map((x, i) => interpolateAll(x, env, `${where}[${i}]`));
  if (v && typeof v === 'object') {
    const o = {};
    for (const [k, x] of Object.entries(v)) o[k] = interpolateAll(x, env, `${where}.${k}`);
    return o;
  }
  return v;
}
function readEnv(file) {
  const env = {};
  fs.readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
    const t = line.trim();
    if (!t || t.startsWith('#')) return;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(t);
    if (!m) { fail(`${file}:${i + 1}: not KEY=VALUE: ${t}`); return; }
    env[m[1]] = m[2].replace(/^(['"])(.*)\1$/, '$2');
  });
  return env;
}

// ---- schema ---------------------------------------------------------------------------------------
const schemaFile = path.join(path.resolve(modules), 'dclint', 'schemas', 'compose.schema.json');
const schema = JSON.parse(fs.readFileSync(schemaFile, 'utf8'));
delete schema.$schema; // draft-07, Ajv's default; the URI there lacks the trailing '#'
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
ajv.addFormat('duration', /^[-+]?(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
const validate = ajv.compile(schema);
const schemaErrors = new Map(); // message -> the variants (as written, defaults, each template) it shows in
function schemaCheck(model, label) {
  if (!validate(model)) {
    for (const e of validate.errors) {
      const msg = `schema: ${e.instancePath || '/'} ${e.message}${e.params && Object.keys(e.params).length ? ' ' + JSON.stringify(e.params) : ''}`;
      if (!schemaErrors.has(msg)) schemaErrors.set(msg, []);
      schemaErrors.get(msg).push(label);
    }
  }
}
const envDir = 'deploy/env';
const templates = fs.existsSync(envDir) ? fs.readdirSync(envDir).filter((f) => f.endsWith('.env')).sort() : [];
const defaults = interpolateAll(raw, {}, composeFile);
schemaCheck(raw, 'as written');
schemaCheck(defaults, 'with defaults');
const envs = {};
for (const t of templates) {
  envs[t] = readEnv(path.join(envDir, t));
  schemaCheck(interpolateAll(raw, envs[t], composeFile), t);
}
for (const [msg, labels] of schemaErrors) fail(`${composeFile}: ${msg} (${labels.join(', ')})`);

// ---- project rules (on the file with compose's defaults) -------------------------------------------
const model = defaults;
const services = model.services || {};
const networks = model.networks || {};
const listOrKeys = (v) => (Array.isArray(v) ? v : v && typeof v === 'object' ? Object.keys(v) : []);
const isDownloader = (name) => /-(fetch|pull)$/.test(name);

if (!networks.internal || networks.internal.internal !== true) fail('networks.internal must have internal: true');
if (networks.public && networks.public.internal === true) fail('networks.public must not be internal');

for (const [name, s] of Object.entries(services)) {
  if (!s.image && !s.build) fail(`services.${name}: no image and no build`);
  if (s.image) {
    const img = String(s.image);
    const last = img.split('/').pop();
    if (img.includes('@sha256:')) { /* pinned by digest */ } else if (!last.includes(':')) fail(`services.${name}: image ${img} has no tag (pin a version)`);
    else if (/:(latest|main|master|nightly|stable)$/.test(last)) fail(`services.${name}: image ${img} uses a moving tag (pin a version)`);
    else if (!/\d/.test(last.split(':')[1]) && !s.build) fail(`services.${name}: image ${img}: tag has no version number`);
  }
}

const sluice = services.sluice;
if (!sluice) fail('services.sluice is missing');
else {
  if (sluice.profiles) fail('services.sluice must have no profiles (it starts with every profile)');
  if (!sluice.build || sluice.build.dockerfile !== 'deploy/Dockerfile') fail('services.sluice must build from deploy/Dockerfile');
  if (sluice.read_only !== true) fail('services.sluice must have read_only: true');
  const tmpfs = [].concat(sluice.tmpfs || []);
  if (!tmpfs.some((t) => String(t).split(':')[0] === '/tmp')) fail('services.sluice needs a tmpfs on /tmp');
  const hc = sluice.healthcheck;
  if (!hc || !hc.test || !JSON.stringify(hc.test).includes('/livez')) fail('services.sluice healthcheck must probe /livez');
  const nets = listOrKeys(sluice.networks);
  for (const n of ['public', 'internal']) if (!nets.includes(n)) fail(`services.sluice must be on network ${n}`);
  const ports = sluice.ports || [];
  if (!ports.length) fail('services.sluice publishes no port');
  for (const p of ports) {
    let ip;
    if (typeof p === 'object') ip = p.host_ip;
    else { const parts = String(p).split(':'); ip = parts.length === 3 ? parts[0] : undefined; }
    if (ip !== '127.0.0.1') fail(`services.sluice: port ${JSON.stringify(p)} is not bound to 127.0.0.1 by default`);
  }
  if (!sluice.env_file) fail('services.sluice must read env_file .env');
}

const byProfile = {};
for (const [name, s] of Object.entries(services)) {
  if (name === 'sluice') continue;
  const profiles = s.profiles || [];
  if (!profiles.length) fail(`services.${name}: every service but sluice belongs to a profile`);
  const nets = listOrKeys(s.networks);
  if (isDownloader(name)) {
    if (nets.length !== 1 || nets[0] !== 'egress') fail(`services.${name}: a one-shot downloader is only on network egress`);
    if (s.restart !== 'no') fail(`services.${name}: a one-shot downloader needs restart: "no"`);
    if (s.ports) fail(`services.${name}: a downloader publishes no ports`);
    continue;
  }
  for (const p of profiles) (byProfile[p] = byProfile[p] || []).push(name);
  if (nets.length !== 1 || nets[0] !== 'internal') fail(`services.${name}: a runtime is only on network internal (has ${JSON.stringify(nets)})`);
  if (s.ports) fail(`services.${name}: a runtime publishes no ports (only the gateway reaches it)`);
  if (s.network_mode) fail(`services.${name}: no network_mode on a runtime`);
  const hc = s.healthcheck;
  if (!hc || hc.disable === true || !hc.test || (Array.isArray(hc.test) && hc.test[0] === 'NONE')) fail(`services.${name}: a runtime needs a healthcheck`);
  for (const v of s.volumes || []) {
    const host = typeof v === 'object' ? v.source : String(v).split(':')[0];
    if (!String(host).startsWith('./data/')) fail(`services.${name}: volume ${JSON.stringify(v)}: weights live under ./data/`);
  }
  const gpuOnly = profiles.length === 1 && profiles[0] === 'demo';
  const devices = (((s.deploy || {}).resources || {}).reservations || {}).devices || [];
  const hasGpu = devices.some((d) => d.driver === 'nvidia' && [].concat(d.capabilities || []).includes('gpu') && (d.count !== undefined || d.device_ids));
  if (!gpuOnly && !hasGpu) fail(`services.${name}: a runtime needs deploy.resources.reservations.devices (driver nvidia, capabilities [gpu], count)`);
  if (gpuOnly && hasGpu) fail(`services.${name}: the demo runs on the CPU: no GPU reservation`);
  for (const dep of Object.keys(s.depends_on || {})) if (!services[dep]) fail(`services.${name}: depends_on unknown service ${dep}`);
}
for (const p of RUNTIME_PROFILES) if (!byProfile[p]) fail(`profile ${p}: no runtime service`);

// ---- env templates and .env.example ----------------------------------------------------------------
for (const p of RUNTIME_PROFILES) if (!templates.includes(`${p}.env`)) fail(`${envDir}/${p}.env is missing`);
for (const t of templates) {
  const p = t.replace(/\.env$/, '');
  const env = envs[t];
  const file = `${envDir}/${t}`;
  if (!RUNTIME_PROFILES.includes(p)) { fail(`${file}: no profile ${p} in ${composeFile}`); continue; }
  const kind = p === 'demo' ? 'ollama' : p;
  if ((env.BACKEND_KIND || '').toLowerCase() !== kind) fail(`${file}: BACKEND_KIND should be ${kind}`);
  if (!env.MODEL_NAME) fail(`${file}: MODEL_NAME is empty`);
  let url;
  try { url = new URL(env.BACKEND_BASE_URL); } catch { fail(`${file}: BACKEND_BASE_URL is not a URL`); continue; }
  const reachable = new Set();
  for (const name of byProfile[p] || []) {
    reachable.add(name);
    const n = services[name].networks;
    if (n && !Array.isArray(n) && n.internal && n.internal.aliases) n.internal.aliases.forEach((a) => reachable.add(a));
  }
  if (!reachable.has(url.hostname)) fail(`${file}: BACKEND_BASE_URL host ${url.hostname} is not a runtime of profile ${p} (${[...reachable].join(', ')})`);
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  if (port !== RUNTIME_PORTS[kind]) fail(`${file}: BACKEND_BASE_URL port ${port}, but ${kind} listens on ${RUNTIME_PORTS[kind]}`);
  if (!url.pathname.replace(/\/$/, '').endsWith('/v1')) fail(`${file}: BACKEND_BASE_URL must end with /v1`);
}
if (!fs.existsSync('.env.example')) fail('.env.example is missing');
else {
  const lines = fs.readFileSync('.env.example', 'utf8').split('\n');
  const documented = new Set();
  lines.forEach((line, i) => {
    const m = /^#?\s*([A-Z_][A-Z0-9_]*)=/.exec(line);
    if (!m) return;
    documented.add(m[1]);
    if (!line.startsWith('#') && !(lines[i - 1] || '').startsWith('#')) fail(`.env.example:${i + 1}: ${m[1]} has no comment above it`);
  });
  const wanted = new Set([...referenced]);
  for (const env of Object.values(envs)) Object.keys(env).forEach((k) => wanted.add(k));
  for (const k of wanted) if (!documented.has(k)) fail(`.env.example does not document ${k}`);
}

// ---- Dockerfile ---------------------------------------------------------------------------------
const dockerfile = sluice && sluice.build && sluice.build.dockerfile;
if (dockerfile && fs.existsSync(dockerfile)) {
  const d = fs.readFileSync(dockerfile, 'utf8');
  const froms = [...d.matchAll(/^FROM\s+(\S+)/gim)].map((m) => m[1]);
  if (froms.length < 2) fail(`${dockerfile}: not multi-stage`);
  if (!/:25[-.\w]*-jre/.test(froms[froms.length - 1] || '')) fail(`${dockerfile}: runtime stage is not a JRE 25 image`);
  const users = [...d.matchAll(/^USER\s+(\S+)/gim)].map((m) => m[1]);
  if (!users.length || /^(root|0)(:|$)/.test(users[users.length - 1])) fail(`${dockerfile}: runs as root`);
  if (!/^HEALTHCHECK[\s\S]*?\/livez/m.test(d)) fail(`${dockerfile}: no HEALTHCHECK on /livez`);
  if (!/^EXPOSE\s+8000\b/m.test(d)) fail(`${dockerfile}: no EXPOSE 8000`);
  if (!/API_HOST=0\.0\.0\.0/.test(d)) fail(`${dockerfile}: API_HOST=0.0.0.0 not set`);
} else if (dockerfile) fail(`${dockerfile} is missing`);

report();
function report() {
  if (errors.length) {
    for (const e of errors) console.error(`  - ${e}`);
    console.error(`compose check: ${errors.length} problem(s) in ${composeFile}`);
    process.exit(1);
  }
  console.log(`compose check: ${composeFile} valid against the compose-spec schema (dclint's copy) with defaults and ${templates.length} env templates; ${Object.keys(services).length} services, project rules hold`);
}
