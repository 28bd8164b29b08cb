"""Checks of the deploy kit's YAML (run by manifests.sh): every file parses, and what the files say agrees
with the repository: topics with docs/config.md, the streams ConfigMap with streams/, the k8s config file
with the settings journeyd knows, the StatefulSet with the security, probe and shutdown requirements, the
compose mounts with files that exist.

Usage: python3 manifests.py <source dir> <out dir>
Writes <out dir>/journeyd.yaml (the ConfigMap's config file) for manifests.sh to start journeyd with.
"""
import glob
import os
import re
import sys

import yaml

SRC, OUT = sys.argv[1], sys.argv[2]
DEPLOY = os.path.join(SRC, "deploy")
problems = []


def check(cond, msg):
    if not cond:
        problems.append(msg)
    return cond


def load_all(path):
    with open(path, encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def duration_s(v):
    m = re.fullmatch(r"(\d+)(ms|s|m|h)", str(v))
    if not m:
        raise ValueError(f"not a duration: {v}")
    return int(m.group(1)) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[m.group(2)]


# 1. Every YAML file of the kit parses.
files = sorted(
    glob.glob(os.path.join(DEPLOY, "*.yaml"))
    + glob.glob(os.path.join(DEPLOY, "k8s", "*.yaml"))
    + glob.glob(os.path.join(DEPLOY, "prometheus", "*.yml"))
    + glob.glob(os.path.join(DEPLOY, "grafana", "provisioning", "*", "*.yaml"))
)
docs = {}
for f in files:
    try:
        docs[os.path.relpath(f, DEPLOY)] = load_all(f)
    except yaml.YAMLError as e:
        problems.append(f"{f}: {e}")
check(len(docs) >= 10, f"expected the kit's YAML files, found {sorted(docs)}")
if problems:
    print("\n".join(problems))
    sys.exit(1)

# Settings journeyd knows, with their defaults (docs/config.md, generated from the declarations).
settings = {}
with open(os.path.join(SRC, "docs", "config.md"), encoding="utf-8") as f:
    for line in f:
        m = re.match(r"\| `([a-z0-9_.]+)` \| (\w+) \| (?:`([^`]*)`|\(empty\)) \|", line)
        if m:
            settings[m.group(1)] = m.group(3) or ""
check("kafka.brokers" in settings, "docs/config.md: no settings table found")
topics = {k: v for k, v in settings.items() if k.startswith("kafka.topic.")}

# 2. compose.yaml
compose = docs["compose.yaml"][0]
services = compose.get("services", {})
for s in ("kafka", "kafka-init", "journeyd", "prometheus", "grafana"):
    check(s in services, f"compose.yaml: no service {s}")
init = " ".join(map(str, services.get("kafka-init", {}).get("command", [])))
created = dict(re.findall(r"create ([a-z0-9._-]+) (\d+)", init))
for key, topic in topics.items():
    check(topic in created, f"compose.yaml: kafka-init does not create {topic} ({key})")
check(created.get("touchpoints") == "6", "compose.yaml: touchpoints must have 6 partitions")
kafka_env = services.get("kafka", {}).get("environment", {})
check("broker,controller" in str(kafka_env.get("KAFKA_PROCESS_ROLES")), "compose.yaml: Kafka is not in KRaft mode")
jd = services.get("journeyd", {})
check("kafka.brokers=kafka:9092" in jd.get("command", []), "compose.yaml: journeyd without kafka.brokers=kafka:9092")
check(jd.get("build", {}).get("dockerfile") == "deploy/Dockerfile", "compose.yaml: journeyd not built from deploy/Dockerfile")
for var in ("JOURNEYD_INGEST_WRITE_KEYS", "JOURNEYD_HTTP_TOKENS"):
    check(var in jd.get("environment", {}), f"compose.yaml: journeyd has no {var}")
check(any(str(v).endswith(":/var/lib/journeyd") for v in jd.get("volumes", [])), "compose.yaml: no state volume")
check(jd.get("depends_on", {}).get("kafka", {}).get("condition") == "service_healthy",
      "compose.yaml: journeyd must wait for a healthy Kafka")
check("journeyd-probe" in str(jd.get("healthcheck", {}).get("test")), "compose.yaml: journeyd has no healthcheck")
check(duration_s(jd.get("stop_grace_period", "10s")) >= 30, "compose.yaml: stop_grace_period under 30 s")
for s in ("prometheus", "grafana"):
    for v in services.get(s, {}).get("volumes", []):
        host = str(v).split(":")[0]
        if host.startswith("./"):
            check(os.path.exists(os.path.join(DEPLOY, host)), f"compose.yaml: {s} mounts missing {host}")
grafana_mounts = [str(v).split(":")[1] for v in services.get("grafana", {}).get("volumes", [])]
provider = docs[os.path.join("grafana", "provisioning", "dashboards", "journeyd.yaml")][0]["providers"][0]
check(any(m.startswith(provider["options"]["path"] + "/") for m in grafana_mounts),
      "grafana: the dashboard provider's path is not where compose.yaml mounts journeyd.json")

# 3. k8s: the objects, by kind and name.
objs = {}
for name, ds in docs.items():
    if name.startswith("k8s" + os.sep) and not name.endswith("kustomization.yaml"):
        for d in ds:
            check("kind" in d and "metadata" in d, f"{name}: a document without kind/metadata")
            objs[(d.get("kind"), d.get("metadata", {}).get("name"))] = (name, d)
kust = docs[os.path.join("k8s", "kustomization.yaml")][0]
for r in kust.get("resources", []):
    check(os.path.exists(os.path.join(DEPLOY, "k8s", r)), f"kustomization.yaml: missing {r}")
check("secret.example.yaml" not in kust.get("resources", []), "kustomization.yaml must not apply the example Secret")

# The streams ConfigMap holds exactly streams/*.yaml.
streams_cm = objs.get(("ConfigMap", "journeyd-streams"), (None, {}))[1].get("data", {})
repo_streams = {}
for f in sorted(glob.glob(os.path.join(SRC, "streams", "*.yaml")) + glob.glob(os.path.join(SRC, "streams", "*.yml"))):
    with open(f, encoding="utf-8") as fh:
        repo_streams[os.path.basename(f)] = fh.read()
if not check(streams_cm == repo_streams,
             "k8s/configmap.yaml: journeyd-streams differs from streams/ "
             f"(ConfigMap {sorted(streams_cm)}, streams/ {sorted(repo_streams)}, changed: "
             f"{sorted(k for k in repo_streams if streams_cm.get(k) != repo_streams[k])}); regenerate it as the "
             "comment in configmap.yaml says"):
    pass

# journeyd.yaml: only settings journeyd knows (or librdkafka pass-through).
config_cm = objs.get(("ConfigMap", "journeyd-config"), (None, {}))[1].get("data", {})
cfg = yaml.safe_load(config_cm.get("journeyd.yaml", "")) or {}


def flatten(node, prefix=""):
    for k, v in node.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            yield from flatten(v, key + ".")
        else:
            yield key, v


flat = dict(flatten(cfg))
for k in flat:
    check(k in settings or re.match(r"kafka\.(common|consumer|producer)\.", k),
          f"k8s/configmap.yaml: journeyd.yaml sets unknown setting {k}")
check("state.dir" not in flat and "streams.dir" not in flat,
      "k8s/configmap.yaml: state.dir/streams.dir come from the image's entrypoint")
with open(os.path.join(OUT, "journeyd.yaml"), "w", encoding="utf-8") as f:
    f.write(config_cm.get("journeyd.yaml", ""))
if "webhooks.yaml" in config_cm:
    with open(os.path.join(OUT, "webhooks.yaml"), "w", encoding="utf-8") as f:
        f.write(config_cm["webhooks.yaml"])

# StatefulSet.
_, sts = objs.get(("StatefulSet", "journeyd"), (None, {}))
spec = sts.get("spec", {})
pod = spec.get("template", {}).get("spec", {})
check(spec.get("replicas") == 1, "statefulset.yaml: replicas must be 1 (scale-out is not implemented)")
check(("Service", spec.get("serviceName")) in objs, "statefulset.yaml: serviceName is not a Service of service.yaml")
svc_headless = objs.get(("Service", spec.get("serviceName")), (None, {}))[1]
check(svc_headless.get("spec", {}).get("clusterIP") == "None", "service.yaml: the governing service must be headless")
check(("Service", "journeyd") in objs, "service.yaml: no ClusterIP service journeyd")
psc = pod.get("securityContext", {})
check(psc.get("runAsNonRoot") is True and psc.get("runAsUser") == 10001, "statefulset.yaml: must run as uid 10001, non-root")
containers = pod.get("containers", [])
check(len(containers) == 1, "statefulset.yaml: one container expected")
c = containers[0] if containers else {}
check(c.get("securityContext", {}).get("readOnlyRootFilesystem") is True, "statefulset.yaml: readOnlyRootFilesystem")
check(c.get("livenessProbe", {}).get("httpGet", {}).get("path") == "/healthz", "statefulset.yaml: liveness on /healthz")
check(c.get("readinessProbe", {}).get("httpGet", {}).get("path") == "/readyz", "statefulset.yaml: readiness on /readyz")
drain = duration_s(flat.get("http.drain_timeout", settings.get("http.drain_timeout", "10s")))
check(pod.get("terminationGracePeriodSeconds", 30) > drain + 10 + 10,
      f"statefulset.yaml: terminationGracePeriodSeconds must exceed http.drain_timeout ({drain} s) + 10 s outbox + margin")
mounts = {m["mountPath"]: m["name"] for m in c.get("volumeMounts", [])}
claims = [t["metadata"]["name"] for t in spec.get("volumeClaimTemplates", [])]
check(mounts.get("/var/lib/journeyd") in claims, "statefulset.yaml: /var/lib/journeyd is not a volumeClaimTemplate")
check("--config=/etc/journeyd/config/journeyd.yaml" in c.get("args", []), "statefulset.yaml: --config not passed")
check(mounts.get("/etc/journeyd/config") == "config" and mounts.get("/etc/journeyd/streams") == "streams",
      "statefulset.yaml: config and streams mounts")
res = c.get("resources", {})
check(res.get("requests", {}).get("memory") and res.get("limits", {}).get("memory"), "statefulset.yaml: memory requests/limits")
# Every Secret key the pod needs (not optional) is in the example.
_, secret = objs.get(("Secret", "journeyd-secrets"), (None, {}))
for e in c.get("env", []):
    ref = e.get("valueFrom", {}).get("secretKeyRef")
    if ref:
        check(ref.get("name") == "journeyd-secrets", f"statefulset.yaml: {e['name']} from an unknown Secret")
        if not ref.get("optional"):
            check(ref.get("key") in secret.get("stringData", {}), f"secret.example.yaml: no key {ref.get('key')}")
# The webhook example's secret_env is provided by the pod.
webhooks = yaml.safe_load(config_cm.get("webhooks.yaml", "")) or {}
env_names = {e["name"] for e in c.get("env", [])}
for ep in webhooks.get("endpoints", []):
    if "secret_env" in ep:
        check(ep["secret_env"] in env_names, f"webhooks.yaml: {ep['secret_env']} is not set in statefulset.yaml")

if problems:
    print("\n".join(problems))
    sys.exit(1)
print(f"{len(docs)} YAML files, {len(objs)} Kubernetes objects, {len(repo_streams)} definitions: ok")
