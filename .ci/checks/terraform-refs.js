#!/usr/bin/env node
// Reference check for a Terraform root module, offline (no providers, no registry).
// Parses every .tf with @cdktf/hcl2json (the real HCL parser, WASM) and reports:
//  - a .tf that does not parse;
//  - var.X without a `variable "X"` block; a variable never used; a variable without a description;
//    a non-bool variable without a validation block;
//  - local.X not defined in any `locals` block;
//  - TYPE.NAME (resource), data.TYPE.NAME, module.NAME that is not declared;
//  - templatefile("${path.module}/F", { ... }): a ${name} or %{ for .. in name } in F that is not a key
//    of the map, or a key that F never uses.
//  - each given .tfvars that does not parse, or sets a variable that is not declared.
// Usage: node terraform-refs.js <dir> [file.tfvars ...]   (NODE_PATH must hold @cdktf/hcl2json)
'use strict';
const fs = require('fs');
const path = require('path');
const { parse } = require('@cdktf/hcl2json');

const dir = path.resolve(process.argv[2] || 'terraform');
const problems = [];
const problem = (file, msg) => problems.push(`${path.relative(process.cwd(), file)}: ${msg}`);

function tfFiles(d) {
  const out = [];
  for (const e of fs.readdirSync(d, { withFileTypes: true })) {
    if (e.name.startsWith('.')) continue; // .terraform/
    const p = path.join(d, e.name);
    if (e.isDirectory()) continue; // one root module; nested modules would be checked on their own
    if (e.name.endsWith('.tf')) out.push(p);
  }
  return out.sort();
}

// Every string in the JSON, with the file it came from.
function strings(node, acc) {
  if (typeof node === 'string') acc.push(node);
  else if (Array.isArray(node)) node.forEach((n) => strings(n, acc));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      // Block keys such as dynamic "x" or nested block names are not expressions.
      strings(v, acc);
      if (k.includes('${')) acc.push(k);
    }
  }
  return acc;
}

// The expression parts (inside ${ ... }) of a template string; string literals inside are dropped
// except for their own nested ${ } parts.
function expressions(s) {
  const out = [];
  let i = 0;
  while ((i = s.indexOf('${', i)) !== -1) {
    if (i > 0 && s[i - 1] === '$') { i += 2; continue; } // $${ escape
    let depth = 1;
    let j = i + 2;
    let inStr = false;
    let buf = '';
    while (j < s.length && depth > 0) {
      const c = s[j];
      if (inStr) {
        if (c === '\\') { j += 2; continue; }
        if (c === '"') inStr = false;
        else if (c === '$' && s[j + 1] === '{') { // nested interpolation inside a string literal
          const inner = expressions(s.slice(j));
          if (inner.length) out.push(inner[0]);
        }
      } else if (c === '"') inStr = true;
      else if (c === '{') depth++;
      else if (c === '}') depth--;
      if (!inStr && depth > 0 && c !== '"') buf += c;
      j++;
    }
    out.push(buf);
    i = j;
  }
  return out;
}

const IDENT = '[A-Za-z_][A-Za-z0-9_-]*';
const RESOURCE_TYPE = /^(aws|awscc|random|null|tls|archive|local|http|time|cloudinit|template|external)_[a-z0-9_]+$/;

async function main() {
  const files = tfFiles(dir);
  if (files.length === 0) {
    problem(dir, 'no .tf files');
  }
  const declared = { variable: new Map(), local: new Set(), resource: new Set(), data: new Set(), module: new Set() };
  const parsed = [];
  for (const f of files) {
    let json;
    try {
      json = await parse(path.basename(f), fs.readFileSync(f, 'utf8'));
    } catch (e) {
      problem(f, `does not parse: ${e && e.message ? e.message : e}`);
      continue;
    }
    parsed.push({ f, json });
    for (const [name, blocks] of Object.entries(json.variable || {})) {
      if (declared.variable.has(name)) problem(f, `variable "${name}" declared twice`);
      declared.variable.set(name, { f, block: blocks[0] });
    }
    for (const l of json.locals || []) for (const k of Object.keys(l)) {
      if (declared.local.has(k)) problem(f, `local "${k}" defined twice`);
      declared.local.add(k);
    }
    for (const [type, byName] of Object.entries(json.resource || {})) for (const n of Object.keys(byName)) declared.resource.add(`${type}.${n}`);
    for (const [type, byName] of Object.entries(json.data || {})) for (const n of Object.keys(byName)) declared.data.add(`${type}.${n}`);
    for (const n of Object.keys(json.module || {})) declared.module.add(n);
  }

  const usedVars = new Set();
  for (const { f, json } of parsed) {
    // Variable blocks' own validation conditions refer to var.X too; they count as use only of X itself.
    const exprs = [];
    for (const s of strings(json, [])) exprs.push(...expressions(s));
    const seen = new Set();
    const report = (msg) => { if (!seen.has(msg)) { seen.add(msg); problem(f, msg); } };
    for (const e of exprs) {
      let m;
      const reVar = new RegExp(`(?<![\\w.])var\\.(${IDENT})`, 'g');
      while ((m = reVar.exec(e))) {
        if (!declared.variable.has(m[1])) report(`var.${m[1]} is not declared`);
      }
      const reLocal = new RegExp(`(?<![\\w.])local\\.(${IDENT})`, 'g');
      while ((m = reLocal.exec(e))) if (!declared.local.has(m[1])) report(`local.${m[1]} is not defined`);
      const reData = new RegExp(`(?<![\\w.])data\\.(${IDENT})\\.(${IDENT})`, 'g');
      while ((m = reData.exec(e))) if (!declared.data.has(`${m[1]}.${m[2]}`)) report(`data.${m[1]}.${m[2]} is not declared`);
      const reModule = new RegExp(`(?<![\\w.])module\\.(${IDENT})`, 'g');
      while ((m = reModule.exec(e))) if (!declared.module.has(m[1])) report(`module.${m[1]} is not declared`);
      const reRes = new RegExp(`(?<![\\w.])(${IDENT})\\.(${IDENT})`, 'g');
      while ((m = reRes.exec(e))) {
        if (RESOURCE_TYPE.test(m[1]) && !declared.resource.has(`${m[1]}.${m[2]}`)) report(`${m[1]}.${m[2]} is not declared`);
      }
    }
    // Usage of variables, outside each variable's own block.
    for (const [section, body] of Object.entries(json)) {
      if (section === 'variable') continue;
      for (const s of strings(body, [])) for (const e of expressions(s)) {
        const re = new RegExp(`(?<![\\w.])var\\.(${IDENT})`, 'g');
        let m;
        while ((m = re.exec(e))) usedVars.add(m[1]);
      }
    }
    // Validation conditions may use other variables (Terraform >= 1.9): count those too.
    for (const [name, blocks] of Object.entries(json.variable || {})) {
      for (const s of strings(blocks, [])) for (const e of expressions(s)) {
        const re = new RegExp(`(?<![\\w.])var\\.(${IDENT})`, 'g');
        let m;
        while ((m = re.exec(e))) if (m[1] !== name) usedVars.add(m[1]);
      }
    }
    checkTemplates(f, json);
  }

  for (const [name, { f, block }] of declared.variable) {
    if (!usedVars.has(name)) problem(f, `variable "${name}" is declared but never used`);
    if (!block || typeof block.description !== 'string' || block.description.trim() === '') problem(f, `variable "${name}" has no description`);
    const type = block && block.type;
    if (type !== '${bool}' && !(block && block.validation)) problem(f, `variable "${name}" has no validation block`);
  }

  for (const tfvars of process.argv.slice(3).filter(Boolean)) {
    let json;
    try {
      json = await parse(path.basename(tfvars), fs.readFileSync(tfvars, 'utf8'));
    } catch (e) {
      problem(tfvars, `does not parse: ${e && e.message ? e.message : e}`);
      continue;
    }
    for (const k of Object.keys(json)) if (!declared.variable.has(k)) problem(tfvars, `sets "${k}", which is not a declared variable`);
  }

  if (problems.length) {
    for (const p of problems) console.error(`terraform check: FAIL: ${p}`);
    console.error(`terraform check: ${problems.length} problem(s)`);
    process.exit(1);
  }
  console.log(`terraform check: ok: ${parsed.length} files; ${declared.variable.size} variables, ${declared.local.size} locals, ` +
    `${declared.resource.size} resources, ${declared.data.size} data sources, ${declared.module.size} modules; every reference resolves; ${process.argv.slice(3).filter(Boolean).length} tfvars file(s) set only declared variables`);
}

// templatefile("${path.module}/F", { k = v, ... }) against the names F uses.
function checkTemplates(f, json) {
  for (const s of strings(json, [])) {
    const re = /templatefile\("\$\{path\.module\}\/([^"]+)",\s*\{([\s\S]*?)\n\s*\}\)/g;
    let m;
    while ((m = re.exec(s))) {
      const tpl = path.join(path.dirname(f), m[1]);
      if (!fs.existsSync(tpl)) { problem(f, `templatefile ${m[1]} does not exist`); continue; }
      const keys = new Set([...m[2].matchAll(/^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=/gm)].map((x) => x[1]));
      const text = fs.readFileSync(tpl, 'utf8');
      const used = new Set();
      const loopVars = new Set();
      for (const d of text.matchAll(/%\{~?\s*for\s+([A-Za-z_]\w*)(?:\s*,\s*([A-Za-z_]\w*))?\s+in\s+([A-Za-z_]\w*)/g)) {
        loopVars.add(d[1]); if (d[2]) loopVars.add(d[2]); used.add(d[3]);
      }
      for (const d of text.matchAll(/%\{~?\s*if\s+([^}~]+)/g)) {
        for (const id of d[1].matchAll(/(?<![\w."])([A-Za-z_]\w*)/g)) used.add(id[1]);
      }
      for (const d of text.matchAll(/(?<!\$)\$\{([^}]*)\}/g)) {
        const id = d[1].trim().match(/^([A-Za-z_]\w*)/);
        if (id) used.add(id[1]);
        else problem(tpl, `template expression \${${d[1]}} is not a plain name (escape shell \${...} as $\${...})`);
      }
      for (const u of used) {
        if (loopVars.has(u) || ['true', 'false', 'null'].includes(u)) continue;
        if (!keys.has(u)) problem(tpl, `uses \${${u}}, which templatefile() in ${path.basename(f)} does not pass (escape shell \${...} as $\${...})`);
      }
      for (const k of keys) if (!used.has(k)) problem(f, `templatefile(${m[1]}) passes "${k}", which the template never uses`);
    }
  }
}

main().catch((e) => { console.error(`terraform check: FAIL: ${e && e.stack ? e.stack : e}`); process.exit(1); });
