"""A small in-memory stand-in for the Hugging Face Hub HTTP API, enough for the real huggingface_hub client
to create repos, commit files (base64 "regular" uploads), read repo info and download files with
HEAD/GET/Range. Runs on 127.0.0.1 in a daemon thread; tests start and stop it.

Fault injection for tests: `server.truncate[path] = n` sends only the first n bytes of that file's body
(after announcing the full Content-Length); `server.tamper(repo, path, data)` changes a file's bytes
on the server without a commit (a corrupted mirror); `server.requests` logs (method, path).
"""
from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlparse


def git_sha1(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


class Repo:
    def __init__(self):
        self.commits = {}  # sha -> {path: bytes}
        self.refs = {}  # branch -> sha

    def tree(self, rev):
        sha = self.refs.get(rev, rev)
        return sha, self.commits.get(sha)


class FakeHub:
    def __init__(self):
        self.repos: dict[str, Repo] = {}
        self.truncate: dict[str, int] = {}
        self.requests: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def commit_count(self, repo_id):
        return len(self.repos[repo_id].commits)

    def tamper(self, repo_id, path, data: bytes, rev="main"):
        sha, files = self.repos[repo_id].tree(rev)
        files[path] = data


def _handler(hub: FakeHub):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # keep test output quiet
            pass

        # ---- helpers ----
        def _send(self, code, body=b"", headers=None, head=None):
            head = self.command == "HEAD" if head is None else head
            if isinstance(body, (dict, list)):
                body = json.dumps(body).encode()
                headers = {"Content-Type": "application/json", **(headers or {})}
            self.send_response(code)
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if not head:
                self.wfile.write(body)

        def _error(self, code, msg, kind=None):
            headers = {"X-Error-Message": msg}
            if kind:
                headers["X-Error-Code"] = kind
            self._send(code, {"error": msg}, headers)

        def _body(self):
            n = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(n) if n else b""

        def _route(self, method):
            path = unquote(urlparse(self.path).path)
            hub.requests.append((method, path))
            return path

        # ---- verbs ----
        def do_GET(self):
            self._get(self._route("GET"), head=False)

        def do_HEAD(self):
            self._get(self._route("HEAD"), head=True)

        def do_POST(self):
            path = self._route("POST")
            body = self._body()
            if path == "/api/repos/create":
                req = json.loads(body)
                repo_id = f"{req.get('organization') or 'tester'}/{req['name']}"
                with hub.lock:
                    if repo_id in hub.repos:
                        return self._send(409, {"error": "You already created this model repo",
                                                "url": f"{hub.url}/{repo_id}"})
                    hub.repos[repo_id] = Repo()
                return self._send(200, {"url": f"{hub.url}/{repo_id}", "name": repo_id})
            if path == "/api/validate-yaml":
                return self._send(200, {"errors": [], "warnings": []})
            m = re.fullmatch(r"/api/models/([^/]+/[^/]+)/(preupload|commit)/(.+)", path)
            if not m:
                return self._error(404, f"no route POST {path}")
            repo_id, action, rev = m.groups()
            repo = hub.repos.get(repo_id)
            if repo is None:
                return self._error(404, "Repository not found", "RepoNotFound")
            if action == "preupload":
                _, files = repo.tree(rev)
                files = files or {}
                out = [{"path": f["path"], "uploadMode": "regular", "shouldIgnore": False,
                        "oid": git_sha1(files[f["path"]]) if f["path"] in files else None}
                       for f in json.loads(body)["files"]]
                return self._send(200, {"files": out, "commitOid": repo.refs.get(rev)})
            return self._commit(repo_id, repo, rev, body)

        def _commit(self, repo_id, repo, rev, body):
            with hub.lock:
                parent, files = repo.tree(rev)
                files = dict(files or {})
                summary = ""
                for line in body.splitlines():
                    item = json.loads(line)
                    if item["key"] == "header":
                        summary = item["value"].get("summary", "")
                    elif item["key"] == "file":
                        files[item["value"]["path"]] = base64.b64decode(item["value"]["content"])
                    elif item["key"] in ("deletedFile", "deletedFolder"):
                        p = item["value"]["path"].rstrip("/")
                        files = {k: v for k, v in files.items() if k != p and not k.startswith(p + "/")}
                    else:
                        return self._error(400, f"unsupported commit operation {item['key']}")
                digest = hashlib.sha1(json.dumps([parent, summary, sorted((k, git_sha1(v)) for k, v in
                                                                         files.items())]).encode())
                sha = digest.hexdigest()
                repo.commits[sha] = files
                repo.refs[rev] = sha
            return self._send(200, {"commitUrl": f"{hub.url}/{repo_id}/commit/{sha}", "commitOid": sha,
                                    "success": True})

        def _get(self, path, head):
            if path == "/api/agent-harnesses":
                return self._send(200, [], head=head)
            if path == "/api/whoami-v2":
                return self._send(200, {"name": "tester", "type": "user", "orgs": []}, head=head)
            m = re.fullmatch(r"/api/models/([^/]+/[^/]+)(?:/revision/(.+))?", path)
            if m:
                return self._info(m.group(1), m.group(2) or "main", head)
            m = re.fullmatch(r"/([^/]+/[^/]+)/resolve/([^/]+)/(.+)", path)
            if m:
                return self._file(*m.groups(), head=head)
            return self._error(404, f"no route {path}")

        def _lookup(self, repo_id, rev):
            """(commit, files) of a repo at a revision, or None after answering 404."""
            repo = hub.repos.get(repo_id)
            if repo is None:
                return self._error(404, "Repository not found", "RepoNotFound")
            sha, files = repo.tree(rev)
            if files is None:
                return self._error(404, f"Invalid rev id: {rev}", "RevisionNotFound")
            return sha, files

        def _info(self, repo_id, rev, head):
            found = self._lookup(repo_id, rev)
            if found is None:
                return
            sha, files = found
            return self._send(200, {"id": repo_id, "modelId": repo_id, "sha": sha, "private": False,
                                    "siblings": [{"rfilename": p} for p in sorted(files)]}, head=head)

        def _file(self, repo_id, rev, filename, head):
            found = self._lookup(repo_id, rev)
            if found is None:
                return
            sha, files = found
            if filename not in files:
                return self._error(404, "Entry not found", "EntryNotFound")
            data = files[filename]
            headers = {"X-Repo-Commit": sha, "ETag": f'"{git_sha1(data)}"', "Accept-Ranges": "bytes"}
            rng = self.headers.get("Range")
            code = 200
            if rng and not head:
                start = int(re.match(r"bytes=(\d+)-", rng).group(1))
                headers["Content-Range"] = f"bytes {start}-{len(data) - 1}/{len(data)}"
                data, code = data[start:], 206
            cut = hub.truncate.get(filename)
            if cut is not None and not head:  # announce everything, send part, then drop the connection
                self.send_response(code)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data[:cut])
                self.wfile.flush()
                self.close_connection = True
                return
            self._send(code, data, headers, head=head)

    return Handler
