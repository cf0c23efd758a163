// Validates Kubernetes manifests offline against the JSON Schemas bundled in the npm package
// kubernetes-models: types, enums, required fields. (It lets unknown fields pass; the Java side
// checks those with Fabric8's models.)
//   node validate-manifests.mjs < rendered.yaml
// Prints one line per object ("ok Kind name" or "invalid Kind name: reason"); exit code 1 when any
// object is invalid or of a kind the package does not know.
import { parseAllDocuments } from 'yaml';

const input = await new Promise((resolve) => {
  let text = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk) => { text += chunk; });
  process.stdin.on('end', () => resolve(text));
});

let failures = 0;
for (const document of parseAllDocuments(input)) {
  const object = document.toJS();
  if (!object || typeof object !== 'object') continue;
  const name = `${object.kind} ${object.metadata?.namespace ? object.metadata.namespace + '/' : ''}${object.metadata?.name}`;
  if (object.apiVersion === 'monitoring.coreos.com/v1') {
    // The Prometheus Operator's kinds are not in kubernetes-models; the Java side checks them.
    console.log(`not checked ${name} (no schema in kubernetes-models)`);
    continue;
  }
  try {
    const module = await import(`kubernetes-models/${object.apiVersion}/${object.kind}`);
    const Model = module.default ?? module[object.kind];
    new Model(object).validate();
    console.log(`ok ${name}`);
  } catch (e) {
    failures++;
    console.log(`invalid ${name}: ${String(e.message || e).replace(/\s+/g, ' ')}`);
  }
}
process.exit(failures === 0 ? 0 : 1);
