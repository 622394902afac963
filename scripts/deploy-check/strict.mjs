// Strict validation with compiled validators that let unknown fields through.
//
// The schemas of the Kubernetes kinds and of the CRDs come as compiled JSON Schema validators
// (the kubernetes-models packages), and their schemas, like the API's own, do not say
// `additionalProperties: false`: a misspelt field would pass. A compiled validator, though,
// reads on each object every property its schema declares (`data.replicas`, declared or not
// in the document), and every key of a map it checks (labels, resource limits). So it is run
// on a watched view of the document, and a key it never read, on an object where it read
// others, is one its schema does not declare. An object it read nothing on is free-form in
// its schema (x-kubernetes-preserve-unknown-fields) and may hold anything. This is the rule
// kubeconform's -strict applies: closed where the schema lists properties, open where it
// does not.

/**
 * Runs `validate` (which reads the document it is given) on a watched view of `document`;
 * returns the JSON pointers of the keys it never read.
 */
export function undeclaredFields(validate, document) {
  const read = new WeakMap(); // object -> the keys read on it
  const views = new WeakMap(); // object -> its watched view
  const watch = (value) => {
    if (value === null || typeof value !== "object") return value;
    if (!views.has(value)) {
      const keys = new Set();
      read.set(value, keys);
      views.set(
        value,
        new Proxy(value, {
          get(target, key, receiver) {
            if (typeof key === "string") keys.add(key);
            return watch(Reflect.get(target, key, receiver));
          },
          has(target, key) {
            if (typeof key === "string") keys.add(key);
            return Reflect.has(target, key);
          },
        }),
      );
    }
    return views.get(value);
  };
  validate(watch(document));

  const undeclared = [];
  const visit = (value, pointer) => {
    if (value === null || typeof value !== "object") return;
    const keys = read.get(value);
    const closed = !Array.isArray(value) && keys !== undefined && keys.size > 0;
    for (const [key, child] of Object.entries(value)) {
      const at = `${pointer}/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`;
      if (closed && !keys.has(key)) undeclared.push(at);
      visit(child, at);
    }
  };
  visit(document, "");
  return undeclared;
}
