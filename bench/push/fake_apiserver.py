#!/usr/bin/env python3
"""A stand-in Kubernetes API for the push benchmark: lists the benchmark's pods on one node
and holds watches open without events, so the exporter names every pod (as in a cluster)
without a cluster. Only what the exporter asks for: GET /api/v1/pods (list and watch).

    fake_apiserver.py --port 39443 --node bench-node --pods pods.txt

pods.txt has one "uid container-id" line per pod. Pods are spread over 11 deployments in
three namespaces, with names as long as real ones (web-3-7c9f8d6b5-x2x4q)."""
import argparse
import json
import random
import string
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

TEMPLATE_HASH = "7c9f8d6b5"


def make_pods(lines, node):
    rng = random.Random(42)
    pods = []
    for i, line in enumerate(lines):
        uid, container_id = line.split()
        deployment = f"web-{i % 11}"
        namespace = ("production", "staging", "monitoring")[i % 3]
        suffix = "".join(rng.choice(string.ascii_lowercase + string.digits) for _ in range(5))
        replica_set = f"{deployment}-{TEMPLATE_HASH}"
        pods.append({
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": f"{replica_set}-{suffix}",
                "namespace": namespace,
                "uid": uid,
                "resourceVersion": "1",
                "labels": {"app": deployment, "pod-template-hash": TEMPLATE_HASH},
                "ownerReferences": [{
                    "apiVersion": "apps/v1", "kind": "ReplicaSet", "name": replica_set,
                    "uid": f"00000000-0000-0000-0000-{i % 11:012d}", "controller": True,
                }],
            },
            "spec": {"nodeName": node, "containers": [{"name": "app", "image": "registry.example/web:1"}]},
            "status": {
                "phase": "Running",
                "containerStatuses": [{
                    "name": "app", "ready": True, "restartCount": 0,
                    "image": "registry.example/web:1", "imageID": "registry.example/web@sha256:" + "0" * 64,
                    "containerID": f"containerd://{container_id}",
                }],
            },
        })
    return pods


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--node", required=True)
    parser.add_argument("--pods", required=True)
    args = parser.parse_args()
    with open(args.pods, encoding="utf-8") as f:
        pods = make_pods([line for line in f if line.strip()], args.node)
    pod_list = json.dumps({"apiVersion": "v1", "kind": "PodList", "metadata": {"resourceVersion": "1"}, "items": pods}).encode()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            url = urlparse(self.path)
            query = parse_qs(url.query)
            if url.path != "/api/v1/pods" or query.get("fieldSelector") != [f"spec.nodeName={args.node}"]:
                self.send_error(404)
                return
            if query.get("watch") != ["true"]:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(pod_list)))
                self.end_headers()
                self.wfile.write(pod_list)
                return
            # A watch with nothing to report: held open until its timeout, then ended cleanly.
            timeout = min(int(query.get("timeoutSeconds", ["300"])[0]), 300)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.flush()
            try:
                time.sleep(timeout)
                self.wfile.write(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, *_):
            pass

    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
