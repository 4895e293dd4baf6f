#!/usr/bin/env python
"""Publish checkpoints to the Hugging Face Hub, one model repo each, and pin the uploaded commits in
zoo/hub_revisions.json (what `zoo.load(name)` downloads when no shipped checkpoint is present).

Usage: publish.py NAME [NAME ...] | --all  [--org ORG]   (run scripts/make_cards.py first)
Re-running with nothing changed makes no new commit. HF_ENDPOINT / HF_TOKEN are honoured.
"""
import argparse

import zoo
from zoo import checkpoints, hub, recipes

if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("names", nargs="*", help="model names or wildcards")
    p.add_argument("--all", action="store_true", help="every registered model with a checkpoint")
    p.add_argument("--org", default=hub.DEFAULT_ORG, help=f"Hub user or organisation (default {hub.DEFAULT_ORG})")
    p.add_argument("--pins", help="revisions file to update (default zoo/hub_revisions.json or $ZOO_HUB_PINS)")
    p.add_argument("--private", action="store_true")
    args = p.parse_args()
    patterns = ["*"] if args.all else args.names
    if not patterns:
        p.error("name a model or pass --all")
    pins = hub.pins(args.pins)
    for name in recipes.expand(patterns):
        folder = checkpoints.root() / name
        if not (folder / "README.md").exists():
            raise SystemExit(f"{folder} has no README.md: run scripts/make_cards.py first")
        repo_id = f"{args.org}/{name}"
        rev = hub.publish(folder, repo_id, f"Publish {name} (zoo {zoo.__version__})", private=args.private)
        changed = pins.get(name, {}).get("revision") != rev
        pins[name] = {"repo_id": repo_id, "revision": rev}
        print(f"{repo_id}: {rev}" + ("" if changed else " (unchanged)"), flush=True)
    print(f"pinned in {hub.write_pins(pins, args.pins)}")
