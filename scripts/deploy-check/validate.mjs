// Validates the deployment files against their published schemas: docker-compose.yml against
// the Compose specification, and every object of each Kubernetes overlay (as `kubectl
// kustomize` renders it) strictly against the schema of its kind. Deliberately broken
// fixtures must fail the same checks, each for its own reason, so a check that accepts
// anything fails the run.
//   node validate.mjs            (from scripts/deploy-check, after `npm ci`; `make deploy-check`)
import { readdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { composeErrors } from "./compose.mjs";
import { nameOf, objectErrors, objectsInFile, render } from "./kubernetes.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const overlays = ["k8s/overlays/dev", "k8s/overlays/production"];
/** In each fixture object: the part of the error that must refuse it. */
const EXPECTED = "deploy-check/refused-for";

let failed = false;
function fail(message) {
  failed = true;
  console.error(message);
}

// -- Compose
const compose = composeErrors(join(root, "docker-compose.yml"));
if (compose.length > 0) {
  fail(`docker-compose.yml does not follow the Compose specification:\n  ${compose.join("\n  ")}`);
} else {
  console.log("docker-compose.yml follows the Compose specification");
}
const brokenCompose = composeErrors(join(here, "fixtures", "broken-compose.yml"));
if (brokenCompose.length === 0) {
  fail("fixtures/broken-compose.yml passed: the Compose check catches nothing");
} else {
  console.log(`fixtures/broken-compose.yml is refused (${brokenCompose.length} error(s)), as it must be`);
}

/** Every problem of `objects`, each line naming the object. */
async function problemsOf(objects) {
  const problems = [];
  for (const object of objects) {
    for (const error of await objectErrors(object)) problems.push(`${nameOf(object)}: ${error}`);
  }
  return problems;
}

// -- the overlays, rendered
for (const overlay of overlays) {
  let objects;
  try {
    objects = render(join(root, overlay));
  } catch (error) {
    fail(`${overlay}: ${error.message}`);
    continue;
  }
  const problems = await problemsOf(objects);
  if (objects.length === 0) problems.push("renders no objects");
  if (problems.length > 0) {
    fail(`${overlay} is not valid:\n  ${problems.join("\n  ")}`);
  } else {
    console.log(`${overlay}: ${objects.length} objects, each valid against the schema of its kind`);
  }
}

// -- the examples no overlay applies (the Secrets to create by hand)
const examples = readdirSync(join(root, "k8s"), { recursive: true })
  .filter((path) => path.endsWith(".example.yaml"))
  .map((path) => join(root, "k8s", path))
  .sort();
for (const path of examples) {
  const name = relative(root, path);
  try {
    const objects = objectsInFile(path);
    const problems = await problemsOf(objects);
    if (problems.length > 0) fail(`${name} is not valid:\n  ${problems.join("\n  ")}`);
    else console.log(`${name}: ${objects.length} object(s), each valid (an example, not applied)`);
  } catch (error) {
    fail(`${name}: ${error.message}`);
  }
}

// -- the broken fixture: every object in it refused, for the reason it names
const fixture = objectsInFile(join(here, "fixtures", "broken-k8s.yaml"));
let refused = 0;
for (const object of fixture) {
  const expected = object?.metadata?.annotations?.[EXPECTED];
  const errors = await objectErrors(object);
  if (expected === undefined) {
    fail(`fixtures/broken-k8s.yaml: ${nameOf(object)} does not say why it must be refused (${EXPECTED})`);
  } else if (errors.length === 0) {
    fail(`fixtures/broken-k8s.yaml: ${nameOf(object)} passed, but must be refused for "${expected}": the check misses it`);
  } else if (!errors.some((error) => error.includes(expected))) {
    fail(`fixtures/broken-k8s.yaml: ${nameOf(object)} was refused, but not for "${expected}":\n  ${errors.join("\n  ")}`);
  } else {
    refused += 1;
  }
}
if (fixture.length > 0 && refused === fixture.length) {
  console.log(`fixtures/broken-k8s.yaml: each of its ${refused} objects is refused for its own mistake, as it must be`);
}

process.exit(failed ? 1 : 0);
