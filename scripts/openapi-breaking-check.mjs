#!/usr/bin/env node
// Breaking-change check between two versions of an OpenAPI 3.x document (dependency-free).
//
//   node scripts/openapi-breaking-check.mjs <old.json> <new.json> [--allow <file>]
//
// Usually run through scripts/openapi-breaking-check.sh, which takes the old document from git.
// Exit 0: no breaking change (or every one is allowed); 1: a breaking change not allowed; 2: usage
// or unreadable document.
//
// What is breaking (local $refs are resolved, allOf is merged, OAS 3.1 `type: [.., "null"]` and a
// oneOf/anyOf with a {type: null} branch count as nullable):
//   operation-removed                 a path or an operation (method) disappeared
//   operation-id-changed              an operationId changed or disappeared (generated clients' method names)
//   parameter-removed                 a parameter disappeared (a partner's filter would be ignored or refused)
//   new-required-parameter            a new parameter is required
//   parameter-became-required         an optional parameter became required
//   request-body-became-required      the request body became required (or appeared, required)
//   request-body-removed              the request body is gone
//   request-media-type-removed        a request content type is no longer accepted
//   new-required-request-property     a new request property is required
//   request-property-became-required  an optional request property became required
//   request-property-removed          a request property is gone while the schema refuses unknown
//                                     properties (additionalProperties: false), as this API does
//   request-closed-to-unknown-properties  additionalProperties became false on a request schema
//   request-nullable-removed          a request property no longer accepts null
//   request-enum-added                a free request value became an enum
//   request-constraint-tightened      maxLength/maxItems/maximum lowered, minLength/minItems/minimum
//                                     raised, or one of them added, on the request side
//   response-status-removed           a documented response status disappeared
//   response-media-type-removed       a response content type disappeared
//   response-header-removed           a documented response header disappeared
//   response-property-removed         a response property is gone (removed or renamed)
//   response-property-became-optional a required response property is no longer required
//   response-became-nullable          a response value (property, item, whole body) may now be null
//   type-changed                      a type changed (request: integer -> number is a widening, allowed;
//                                     response: number -> integer is a narrowing, allowed)
//   format-changed                    a format changed (request: a format added; response: one removed)
//   enum-value-removed                an enum value disappeared, request side or response side
//   composition-changed               a oneOf/anyOf changed (not analysed further: review it)
// Reported as notes, never failing: an added operation, a value added to a response enum (clients
// with an exhaustive switch should treat unknown values as "other").
//
// INTENDED BREAKS: list them in openapi/breaking-changes-allowed.txt (or the file given with
// --allow), one per line, each exactly as this script prints it after "BREAKING " (copy and paste);
// `*` matches any run of characters; blank lines and lines starting with # are ignored. The file
// is reviewed with the change that needs it and stays as the record of the accepted breaks (a
// later comparison across the same change needs the same entries). A v1 break for partners
// normally needs a new version (/v2) instead: the file is for corrections the API team agrees are
// not breaking any real partner (e.g. documenting a null that the server always sent).
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { resolve } from "node:path";

const METHODS = ["get", "put", "post", "delete", "patch", "options", "head", "trace"];

// ---------------------------------------------------------------------------------------------- //
// $ref resolution and schema normalisation

function decodePointerToken(token) {
  return decodeURIComponent(token).replace(/~1/g, "/").replace(/~0/g, "~");
}

function resolvePointer(doc, ref) {
  if (typeof ref !== "string" || !ref.startsWith("#")) {
    throw new Error(`only local $refs are supported, found ${JSON.stringify(ref)}`);
  }
  let node = doc;
  for (const token of ref.slice(1).split("/").filter((t) => t !== "").map(decodePointerToken)) {
    if (node === null || typeof node !== "object" || !(token in node)) throw new Error(`unresolvable $ref ${ref}`);
    node = node[token];
  }
  return node;
}

/** Follows $ref chains; returns the target and the last ref's name (for messages and cycle guards). */
function deref(doc, node) {
  let name;
  const seen = new Set();
  while (node && typeof node === "object" && typeof node.$ref === "string") {
    if (seen.has(node.$ref)) throw new Error(`circular $ref ${node.$ref}`);
    seen.add(node.$ref);
    name = node.$ref;
    node = resolvePointer(doc, node.$ref);
  }
  return { node, name };
}

function typeList(schema) {
  if (Array.isArray(schema.type)) return schema.type;
  return schema.type === undefined ? [] : [schema.type];
}

/**
 * A flat view of a schema: $refs followed, allOf merged, nullability as a boolean, type as one
 * string (or undefined when free). `ref` is the name of the component it came from, if any.
 */
function normalize(doc, raw) {
  if (raw === undefined || raw === null || typeof raw !== "object") return undefined;
  const { node, name } = deref(doc, raw);
  if (!node || typeof node !== "object") return undefined;
  let schema = { ...node };
  let ref = name;
  let nullable = schema.nullable === true;

  if (Array.isArray(schema.allOf)) {
    const merged = { ...schema };
    delete merged.allOf;
    const properties = { ...(schema.properties ?? {}) };
    const required = new Set(schema.required ?? []);
    for (const part of schema.allOf) {
      const p = normalize(doc, part);
      if (!p) continue;
      if (schema.allOf.length === 1 && !ref) ref = p.ref;
      Object.assign(properties, p.properties ?? {});
      for (const r of p.required ?? []) required.add(r);
      for (const key of ["type", "format", "enum", "items", "additionalProperties", "oneOf", "anyOf",
        "minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems", "pattern"]) {
        if (merged[key] === undefined && p[key] !== undefined) merged[key] = p[key];
      }
      // allOf: null is allowed only if every part allows it; the wrapper's own nullable wins.
    }
    if (Object.keys(properties).length > 0) merged.properties = properties;
    if (required.size > 0) merged.required = [...required];
    schema = merged;
  }

  const types = typeList(schema);
  if (types.includes("null")) nullable = true;
  const nonNull = types.filter((t) => t !== "null");
  schema.type = nonNull.length === 1 ? nonNull[0] : nonNull.length === 0 ? undefined : nonNull.slice().sort().join("|");
  if (Array.isArray(schema.enum) && schema.enum.includes(null)) {
    nullable = true;
    schema.enum = schema.enum.filter((v) => v !== null);
  }

  for (const key of ["oneOf", "anyOf"]) {
    if (!Array.isArray(schema[key])) continue;
    const branches = schema[key].map((b) => ({ raw: b, n: normalize(doc, b) }));
    const isNull = (b) => b.n && b.n.type === undefined && typeList(deref(doc, b.raw).node).includes("null");
    const rest = branches.filter((b) => !isNull(b));
    if (rest.length < branches.length) nullable = true;
    if (rest.length === 1) {
      const only = rest[0].n;
      const outer = { ...schema };
      delete outer[key];
      schema = { ...only, ...stripUndefined(outer), type: outer.type ?? only.type };
      ref = ref ?? only.ref;
      if (only.nullable) nullable = true;
    } else {
      schema[key] = rest.map((b) => b.raw);
    }
  }
  if (schema.type === undefined && (schema.properties || schema.additionalProperties !== undefined && typeof schema.additionalProperties === "object")) {
    schema.type = "object";
  }
  if (schema.type === undefined && schema.items) schema.type = "array";
  schema.nullable = nullable;
  schema.ref = ref;
  return schema;
}

function stripUndefined(o) {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

// ---------------------------------------------------------------------------------------------- //
// Comparison

function shortRef(ref) {
  return ref ? ref.replace(/^#\/components\/schemas\//, "") : undefined;
}

function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

class Report {
  constructor() {
    this.breaking = [];
    this.notes = [];
    this._seen = new Set();
  }
  add(rule, where, loc, detail) {
    const line = `${rule}: ${where}${loc && loc !== "$" ? ` ${loc}` : ""}${detail ? ` (${detail})` : ""}`;
    if (this._seen.has(line)) return;
    this._seen.add(line);
    this.breaking.push({ rule, line });
  }
  note(text) {
    if (this._seen.has(`note:${text}`)) return;
    this._seen.add(`note:${text}`);
    this.notes.push(text);
  }
}

/**
 * Compares one schema position. mode "request": the client writes it, the server reads it;
 * mode "response": the server writes it, the client reads it.
 */
function compareSchema(ctx, oldRaw, newRaw, mode, where, loc, seen = new Set()) {
  const o = normalize(ctx.oldDoc, oldRaw);
  const n = normalize(ctx.newDoc, newRaw);
  if (!o || !n) return;
  if (o.ref && n.ref) {
    const key = `${o.ref}>${n.ref}`;
    if (seen.has(key)) return; // a recursive schema: this pair is being compared further up
    seen = new Set(seen).add(key);
  }
  const r = ctx.report;
  const request = mode === "request";

  // type
  if (o.type !== n.type) {
    const widening = request ? o.type === "integer" && n.type === "number" : o.type === "number" && n.type === "integer";
    const loosened = request ? n.type === undefined : o.type === undefined;
    if (!widening && !loosened) r.add("type-changed", where, loc, `${o.type ?? "any"} -> ${n.type ?? "any"}`);
  }
  // format
  if (o.format !== n.format) {
    const harmless = request ? n.format === undefined : o.format === undefined;
    if (!harmless) r.add("format-changed", where, loc, `${o.format ?? "none"} -> ${n.format ?? "none"}`);
  }
  // null
  if (request && o.nullable && !n.nullable) r.add("request-nullable-removed", where, loc);
  if (!request && !o.nullable && n.nullable) r.add("response-became-nullable", where, loc);
  // enum
  if (Array.isArray(o.enum) && Array.isArray(n.enum)) {
    const next = new Set(n.enum.map(canonical));
    for (const v of o.enum) {
      if (!next.has(canonical(v))) r.add("enum-value-removed", where, loc, `${JSON.stringify(v)} removed from ${mode} enum${o.ref ? ` ${shortRef(o.ref)}` : ""}`);
    }
    if (!request) {
      const prev = new Set(o.enum.map(canonical));
      for (const v of n.enum) {
        if (!prev.has(canonical(v))) r.note(`response enum gains ${JSON.stringify(v)}: ${where}${loc !== "$" ? ` ${loc}` : ""}`);
      }
    }
  } else if (request && !Array.isArray(o.enum) && Array.isArray(n.enum)) {
    r.add("request-enum-added", where, loc, `now one of ${n.enum.map((v) => JSON.stringify(v)).join(", ")}`);
  } else if (Array.isArray(o.enum) && !Array.isArray(n.enum) && !request) {
    r.note(`response enum lifted (any value now): ${where}${loc !== "$" ? ` ${loc}` : ""}`);
  }
  // constraints, request side
  if (request) {
    for (const key of ["maxLength", "maxItems", "maximum", "maxProperties"]) {
      if (n[key] !== undefined && (o[key] === undefined || n[key] < o[key])) {
        r.add("request-constraint-tightened", where, loc, `${key} ${o[key] ?? "none"} -> ${n[key]}`);
      }
    }
    for (const key of ["minLength", "minItems", "minimum", "minProperties"]) {
      if (n[key] !== undefined && (o[key] === undefined || n[key] > o[key])) {
        r.add("request-constraint-tightened", where, loc, `${key} ${o[key] ?? "none"} -> ${n[key]}`);
      }
    }
    if (n.pattern !== undefined && n.pattern !== o.pattern) {
      r.add("request-constraint-tightened", where, loc, `pattern ${o.pattern ?? "none"} -> ${n.pattern}`);
    }
  }

  // objects
  const oProps = o.properties ?? {};
  const nProps = n.properties ?? {};
  const oReq = new Set(o.required ?? []);
  const nReq = new Set(n.required ?? []);
  const child = (name) => (loc === "$" ? `$.${name}` : `${loc}.${name}`);
  for (const name of Object.keys(oProps)) {
    if (!(name in nProps)) {
      if (!request) {
        r.add("response-property-removed", where, child(name), o.ref ? `was in ${shortRef(o.ref)}` : undefined);
      } else if (n.additionalProperties === false) {
        r.add("request-property-removed", where, child(name), "unknown properties are refused");
      }
      continue;
    }
    if (!request && oReq.has(name) && !nReq.has(name)) {
      r.add("response-property-became-optional", where, child(name));
    }
    compareSchema(ctx, oProps[name], nProps[name], mode, where, child(name), seen);
  }
  if (request) {
    for (const name of nReq) {
      if (oReq.has(name)) continue;
      if (name in oProps) r.add("request-property-became-required", where, child(name));
      else r.add("new-required-request-property", where, child(name));
    }
    if (o.additionalProperties !== false && n.additionalProperties === false && o.type === "object" && Object.keys(oProps).length === 0) {
      r.add("request-closed-to-unknown-properties", where, loc);
    }
  }
  if (o.additionalProperties && typeof o.additionalProperties === "object"
      && n.additionalProperties && typeof n.additionalProperties === "object") {
    compareSchema(ctx, o.additionalProperties, n.additionalProperties, mode, where, `${loc}{*}`, seen);
  } else if (!request && o.additionalProperties && typeof o.additionalProperties === "object" && n.additionalProperties === false) {
    r.add("response-property-removed", where, `${loc}{*}`, "a map's entries are no longer allowed");
  }

  // arrays
  if (o.items && n.items) compareSchema(ctx, o.items, n.items, mode, where, `${loc}[]`, seen);

  // unions that are not a nullable wrapper
  for (const key of ["oneOf", "anyOf"]) {
    if (o[key] === undefined && n[key] === undefined) continue;
    const a = canonical((o[key] ?? []).map((b) => normalizeForCanonical(ctx.oldDoc, b)));
    const b = canonical((n[key] ?? []).map((x) => normalizeForCanonical(ctx.newDoc, x)));
    if (a !== b) r.add("composition-changed", where, loc, `${key} changed: review by hand`);
  }
}

function normalizeForCanonical(doc, raw) {
  const n = normalize(doc, raw);
  if (!n) return n;
  const { ref, ...rest } = n;
  return ref ? { ref } : rest;
}

function mediaTypes(doc, content) {
  return content && typeof content === "object" ? content : {};
}

function collectOperations(doc) {
  const ops = new Map();
  for (const [path, rawItem] of Object.entries(doc.paths ?? {})) {
    const item = deref(doc, rawItem).node ?? {};
    for (const method of METHODS) {
      if (!item[method]) continue;
      const op = item[method];
      // Path templates match whatever their parameters are called: /a/{id} == /a/{clientId}.
      const key = `${method.toUpperCase()} ${path.replace(/\{[^}]+\}/g, "{}")}`;
      // Path parameters are matched by their place in the template, so renaming one ({id} ->
      // {clientId}) is not a removal: the wire is the same (reported as a note).
      const placeholders = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      const params = new Map();
      for (const raw of [...(item.parameters ?? []), ...(op.parameters ?? [])]) {
        const p = deref(doc, raw).node;
        if (!p) continue;
        const name = p.in === "header" ? String(p.name).toLowerCase()
          : p.in === "path" && placeholders.includes(p.name) ? `#${placeholders.indexOf(p.name) + 1}` : p.name;
        params.set(`${p.in} ${name}`, p);
      }
      ops.set(key, { path, method: method.toUpperCase(), op, params });
    }
  }
  return ops;
}

function schemaOfParameter(p) {
  if (p.schema) return p.schema;
  const first = Object.values(p.content ?? {})[0];
  return first?.schema;
}

/** Compares two parsed documents; returns { breaking: [{rule, line}], notes: [string] }. */
export function compareDocuments(oldDoc, newDoc) {
  const report = new Report();
  const ctx = { oldDoc, newDoc, report };
  const oldOps = collectOperations(oldDoc);
  const newOps = collectOperations(newDoc);

  for (const [key, o] of oldOps) {
    const where = `${o.method} ${o.path}`;
    const n = newOps.get(key);
    if (!n) {
      report.add("operation-removed", where, "", o.op.operationId ? `operationId ${o.op.operationId}` : undefined);
      continue;
    }
    if (o.op.operationId !== undefined && o.op.operationId !== n.op.operationId) {
      report.add("operation-id-changed", where, "", `${o.op.operationId} -> ${n.op.operationId ?? "none"}`);
    }

    // parameters
    for (const [pk, op] of o.params) {
      const np = n.params.get(pk);
      const pwhere = `${where} parameter ${op.in} ${op.name}`;
      if (!np) {
        report.add("parameter-removed", pwhere, "");
        continue;
      }
      if (op.in === "path" && np.name !== op.name) report.note(`path parameter renamed: ${where} {${op.name}} -> {${np.name}}`);
      if (np.required && !op.required) report.add("parameter-became-required", pwhere, "");
      compareSchema(ctx, schemaOfParameter(op), schemaOfParameter(np), "request", pwhere, "$");
    }
    for (const [pk, np] of n.params) {
      if (!o.params.has(pk) && np.required) report.add("new-required-parameter", `${where} parameter ${np.in} ${np.name}`, "");
    }

    // request body
    const ob = o.op.requestBody ? deref(oldDoc, o.op.requestBody).node : undefined;
    const nb = n.op.requestBody ? deref(newDoc, n.op.requestBody).node : undefined;
    if (ob && !nb) {
      report.add("request-body-removed", `${where} request body`, "");
    } else if (nb && nb.required && !(ob && ob.required)) {
      report.add("request-body-became-required", `${where} request body`, "");
    }
    if (ob && nb) {
      const oc = mediaTypes(oldDoc, ob.content);
      const nc = mediaTypes(newDoc, nb.content);
      for (const [media, om] of Object.entries(oc)) {
        const bwhere = `${where} request body ${media}`;
        if (!(media in nc)) {
          report.add("request-media-type-removed", bwhere, "");
          continue;
        }
        compareSchema(ctx, om.schema, nc[media].schema, "request", bwhere, "$");
      }
    }

    // responses
    const oResponses = o.op.responses ?? {};
    const nResponses = n.op.responses ?? {};
    for (const [status, rawOld] of Object.entries(oResponses)) {
      const rwhere = `${where} response ${status}`;
      if (!(status in nResponses)) {
        report.add("response-status-removed", rwhere, "");
        continue;
      }
      const or = deref(oldDoc, rawOld).node ?? {};
      const nr = deref(newDoc, nResponses[status]).node ?? {};
      for (const header of Object.keys(or.headers ?? {})) {
        const has = Object.keys(nr.headers ?? {}).some((h) => h.toLowerCase() === header.toLowerCase());
        if (!has) report.add("response-header-removed", `${rwhere} header ${header}`, "");
      }
      const oc = mediaTypes(oldDoc, or.content);
      const nc = mediaTypes(newDoc, nr.content);
      for (const [media, om] of Object.entries(oc)) {
        const mwhere = `${rwhere} ${media}`;
        if (!(media in nc)) {
          report.add("response-media-type-removed", mwhere, "");
          continue;
        }
        compareSchema(ctx, om.schema, nc[media].schema, "response", mwhere, "$");
      }
    }
  }
  for (const [key, n] of newOps) {
    if (!oldOps.has(key)) report.note(`operation added: ${n.method} ${n.path}${n.op.operationId ? ` (${n.op.operationId})` : ""}`);
  }
  return { breaking: report.breaking, notes: report.notes };
}

// ---------------------------------------------------------------------------------------------- //
// Allow-list

/** Parses an allow-list: one accepted line a line, `*` as a wildcard, # comments. */
export function parseAllowlist(text) {
  return text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#")).map((entry) => ({
    entry,
    regex: new RegExp(`^${entry.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`),
  }));
}

/** Splits breaking changes into the ones the allow-list accepts and the others. */
export function applyAllowlist(breaking, allowlist) {
  const allowed = [];
  const refused = [];
  for (const b of breaking) (allowlist.some((a) => a.regex.test(b.line)) ? allowed : refused).push(b);
  return { allowed, refused };
}

// ---------------------------------------------------------------------------------------------- //
// CLI

function readJson(file, label) {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    console.error(`openapi-breaking-check: cannot read the ${label} document ${file}: ${e.message}`);
    process.exit(2);
  }
}

function main(argv) {
  const args = [];
  let allowFile;
  let oldLabel;
  let newLabel;
  let allowLabel;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--allow") allowFile = argv[++i];
    else if (argv[i] === "--old-label") oldLabel = argv[++i];
    else if (argv[i] === "--new-label") newLabel = argv[++i];
    else if (argv[i] === "--allow-label") allowLabel = argv[++i];
    else args.push(argv[i]);
  }
  if (args.length !== 2) {
    console.error("usage: node scripts/openapi-breaking-check.mjs <old.json> <new.json> [--allow <file>] [--old-label <text>] [--new-label <text>] [--allow-label <text>]");
    process.exit(2);
  }
  const [oldFile, newFile] = args;
  const oldDoc = readJson(oldFile, "old");
  const newDoc = readJson(newFile, "new");
  let allowlist = [];
  if (allowFile !== undefined && existsSync(allowFile)) allowlist = parseAllowlist(readFileSync(allowFile, "utf8"));

  let result;
  try {
    result = compareDocuments(oldDoc, newDoc);
  } catch (e) {
    console.error(`openapi-breaking-check: ${e.message}`);
    process.exit(2);
  }
  const { allowed, refused } = applyAllowlist(result.breaking, allowlist);
  console.log(`openapi-breaking-check: ${oldLabel ?? oldFile} -> ${newLabel ?? newFile}`);
  for (const b of refused) console.log(`BREAKING ${b.line}`);
  for (const b of allowed) console.log(`allowed  ${b.line}`);
  for (const note of result.notes) console.log(`note     ${note}`);
  const summary = `${refused.length} breaking change(s) not allowed, ${allowed.length} allowed, ${result.notes.length} note(s)`;
  if (refused.length > 0) {
    console.log(`openapi-breaking-check: FAILED: ${summary}`);
    console.log("  A v1 contract change that breaks partners needs a new version. If this break is intended and agreed,");
    console.log(`  add each BREAKING line above (without "BREAKING ") to ${allowLabel ?? allowFile ?? "openapi/breaking-changes-allowed.txt"}.`);
    process.exit(1);
  }
  console.log(`openapi-breaking-check: OK: ${summary}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2));
}
