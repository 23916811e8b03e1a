// Validates Kubernetes objects offline: reads YAML documents (the output of `kubectl kustomize`) on stdin and checks
// each one against its schema: Kubernetes' own and KEDA's from the kubernetes-models packages, the RabbitMQ Cluster
// Operator's and Messaging Topology Operator's from their CRDs (schemas/). An object of an API this script has no
// schema for is an error, and so is a field a schema does not know (a typo the API server would silently drop).
// Prints one line per object and exits 1 if any is invalid.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Ajv from "ajv";
import { parseAllDocuments } from "yaml";

const here = dirname(fileURLToPath(import.meta.url));

/** Modules of kubernetes-models (and its KEDA package) by apiVersion. */
const MODEL_MODULES = {
  v1: "kubernetes-models/v1",
  "apps/v1": "kubernetes-models/apps/v1",
  "policy/v1": "kubernetes-models/policy/v1",
  "autoscaling/v2": "kubernetes-models/autoscaling/v2",
  "batch/v1": "kubernetes-models/batch/v1",
  "networking.k8s.io/v1": "kubernetes-models/networking.k8s.io/v1",
  "rbac.authorization.k8s.io/v1": "kubernetes-models/rbac.authorization.k8s.io/v1",
  "keda.sh/v1alpha1": "@kubernetes-models/keda/keda.sh/v1alpha1",
};

/** APIs validated against a CRD's openAPIV3Schema kept in schemas/. */
const CRD_APIS = new Set(["rabbitmq.com/v1beta1"]);

const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });

/**
 * A CRD schema as strict as kubectl's --validate=strict: an object schema that lists its properties and does not
 * preserve unknown fields refuses any other.
 */
function strict(schema) {
  if (Array.isArray(schema)) {
    return schema.map(strict);
  }
  if (schema === null || typeof schema !== "object") {
    return schema;
  }
  const copy = Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, strict(value)]));
  if (copy.properties && !copy["x-kubernetes-preserve-unknown-fields"] && copy.additionalProperties === undefined) {
    copy.additionalProperties = false;
  }
  return copy;
}

const crdValidators = new Map();

function crdValidator(apiVersion, kind) {
  const key = `${apiVersion}/${kind}`;
  if (!crdValidators.has(key)) {
    const file = join(here, "schemas", `${apiVersion.replace("/", "_")}_${kind}.json`);
    let schema;
    try {
      schema = JSON.parse(readFileSync(file, "utf8"));
    } catch {
      return null;
    }
    crdValidators.set(key, ajv.compile(strict(schema)));
  }
  return crdValidators.get(key);
}

async function problemsOf(object) {
  const { apiVersion, kind } = object;
  if (CRD_APIS.has(apiVersion)) {
    const validate = crdValidator(apiVersion, kind);
    if (!validate) {
      return [`no schema for ${apiVersion} ${kind}`];
    }
    return validate(object) ? [] : validate.errors.map((e) => `${e.instancePath || "/"} ${e.message}`);
  }
  const module = MODEL_MODULES[apiVersion];
  if (!module) {
    return [`no schema for apiVersion ${apiVersion}`];
  }
  const models = await import(module);
  const Model = models[kind];
  if (!Model) {
    return [`no schema for ${apiVersion} ${kind}`];
  }
  try {
    new Model(object).validate();
    return [];
  } catch (e) {
    return [e.message];
  }
}

const documents = parseAllDocuments(readFileSync(0, "utf8"));
let invalid = 0;
let count = 0;
for (const document of documents) {
  if (document.errors.length > 0) {
    console.log(`INVALID YAML: ${document.errors.map((e) => e.message).join("; ")}`);
    invalid++;
    continue;
  }
  const object = document.toJS();
  if (object === null) {
    continue;
  }
  count++;
  const name = `${object.apiVersion} ${object.kind} ${object.metadata?.name}`;
  const problems = await problemsOf(object);
  if (problems.length > 0) {
    invalid++;
    console.log(`INVALID ${name}: ${problems.join("; ")}`);
  } else {
    console.log(`valid ${name}`);
  }
}
console.log(`${count} objects, ${invalid} invalid`);
process.exit(invalid > 0 || count === 0 ? 1 : 0);
