#!/usr/bin/env python
"""Train registry models into checkpoints/NAME/ (resumes if interrupted). Usage: train.py NAME [NAME...]"""
import argparse
import json

from zoo import recipes, training
from zoo.models import precision

if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("names", nargs="+", help=f"model names or wildcards, e.g. {recipes.list_models()[0]} or 'vae-*'")
    p.add_argument("--epochs", type=int, help="override the recipe's epoch count")
    p.add_argument("--out", help="folder to write NAME/ into (default: the shipped checkpoints folder)")
    p.add_argument("--override", type=json.loads, default=None, metavar="JSON",
                   help='recipe fields to change, e.g. \'{"latent_dim": 64, "options": {"top_dim": 32}}\' '
                        "(options are merged); the card records the recipe trained")
    p.add_argument("--time-limit", type=float, metavar="MINUTES",
                   help="stop after the epoch that passes this much training time (the card gets the epochs run)")
    p.add_argument("--restart", action="store_true",
                   help="discard an interrupted run of another recipe (the error names what differs) and start over")
    p.add_argument("--keep-state", action="store_true",
                   help="keep the training state (.NAME.work/) after writing: a later run with more --epochs continues it")
    p.add_argument("--continue-from", metavar="CHECKPOINT",
                   help="continue a checkpoint of the recipe (a folder, or the registry name for the shipped one) to "
                        "--epochs: its weights and epoch log, Adam started afresh (for a training whose state is lost)")
    p.add_argument("--distribute", action="store_true",
                   help="train data-parallel on every visible device (and on several hosts: see the README)")
    p.add_argument("--precision", choices=("auto", *precision.POLICIES), default="auto",
                   help="Keras dtype policy: mixed_bfloat16 trains bfloat16 networks with float32 weights, losses and "
                        "measurements; auto (the default) picks it for the photo recipes where bfloat16 is native "
                        "(a GPU, or a CPU with AMX or AVX512_BF16) and float32 elsewhere")
    p.add_argument("--mixed-precision", action="store_true", help="the same as --precision mixed_bfloat16")
    p.add_argument("--verbose", type=int, default=1, help="Keras fit verbosity: 1 progress bar, 2 a line per epoch")
    args = p.parse_args()
    names = recipes.expand(args.names)
    if args.continue_from and len(names) > 1:
        raise SystemExit(f"--continue-from continues one model; {' '.join(args.names)} names {len(names)}.")
    for name in names:
        policy = "mixed_bfloat16" if args.mixed_precision else args.precision
        if policy == "auto":
            policy = precision.for_recipe(recipes.get_recipe(name).options)
        print(f"== {name}: training in {policy}", flush=True)
        with precision.policy(policy):
            out = training.train(name, args.out, args.epochs, verbose=args.verbose, overrides=args.override,
                                 time_limit_s=args.time_limit and 60 * args.time_limit, restart=args.restart,
                                 distribute=args.distribute, replace_shipped=not args.out,
                                 keep_state=args.keep_state, continue_from=args.continue_from)
        print(f"== {name}: written to {out or 'the first process'}", flush=True)
