// Kubernetes manifests: each overlay rendered with `kubectl kustomize`, and every object
// checked strictly (strict.mjs) against the schema of its kind: Kubernetes' own
// (kubernetes-models) and the CRDs' (CloudNativePG's, generated from its CRD; the Prometheus
// operator's). An object whose kind and version no package here knows is an error, never
// skipped.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import { undeclaredFields } from "./strict.mjs";

/** The package with the schemas of each API group that is not Kubernetes' own. */
const crdPackages = {
  "postgresql.cnpg.io": "@kubernetes-models/cloudnative-pg",
  "monitoring.coreos.com": "@kubernetes-models/prometheus-operator",
};

/** The objects `kubectl kustomize` renders from the kustomization in `directory`. */
export function render(directory) {
  let output;
  try {
    output = execFileSync("kubectl", ["kustomize", directory], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    if (error.code === "ENOENT") throw new Error("kubectl is not installed (it renders the overlays)");
    throw new Error(`kubectl kustomize failed:\n${error.stderr}`);
  }
  return objectsIn(output);
}

/** The objects of the YAML file at `path` (every document of it). */
export function objectsInFile(path) {
  return objectsIn(readFileSync(path, "utf8"));
}

function objectsIn(text) {
  return parseAllDocuments(text)
    .filter((document) => document.contents !== null || document.errors.length > 0)
    .map((document) => {
      if (document.errors.length > 0) throw new Error(document.errors.map((e) => e.message).join("; "));
      return document.toJS();
    });
}

/** "Kind name", to name an object in a message. */
export function nameOf(object) {
  return `${object?.kind ?? "(no kind)"} ${object?.metadata?.name ?? "(no name)"}`;
}

/** What is wrong with `object`, in words: schema errors and fields its schema lacks. */
export async function objectErrors(object) {
  if (object === null || typeof object !== "object" || Array.isArray(object)) return ["/ is not an object"];
  const { apiVersion, kind } = object;
  const model = await modelOf(apiVersion, kind);
  if (model === null) {
    return [`no schema for ${kind} in ${apiVersion}: a misspelt kind or version, or a kind no package here describes`];
  }
  const errors = [];
  const undeclared = undeclaredFields((view) => {
    try {
      model.prototype.validate.call(view);
    } catch (error) {
      if (!Array.isArray(error.errors)) throw error;
      errors.push(...error.errors.map(inWords));
    }
  }, object);
  return [...errors, ...undeclared.map((pointer) => `${pointer} is not a field of ${kind} (${apiVersion})`)];
}

function inWords(error) {
  const allowed = error.params?.allowedValues ? ` (${error.params.allowedValues.join(", ")})` : "";
  return `${error.instancePath || "/"} ${error.message}${allowed}`;
}

/** The model (with its compiled validator) of `kind` in `apiVersion`, or null. */
async function modelOf(apiVersion, kind) {
  if (typeof apiVersion !== "string" || typeof kind !== "string") return null;
  if (!/^([a-z0-9.-]+\/)?v[0-9a-z]+$/.test(apiVersion) || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) return null;
  const group = apiVersion.includes("/") ? apiVersion.split("/")[0] : "";
  const kubernetes = group === "" || !group.includes(".") || group.endsWith(".k8s.io");
  const pkg = kubernetes ? "kubernetes-models" : crdPackages[group];
  if (pkg === undefined) return null;
  let module;
  try {
    module = await import(`${pkg}/${apiVersion}/${kind}`);
  } catch (error) {
    if (error.code === "ERR_MODULE_NOT_FOUND" || error.code === "ERR_PACKAGE_PATH_NOT_EXPORTED") return null;
    throw error;
  }
  const model = module[kind];
  // a file of the version that is not a kind (DeploymentSpec) has no apiVersion and kind
  return model?.apiVersion === apiVersion && model?.kind === kind ? model : null;
}
