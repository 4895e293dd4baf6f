#!/usr/bin/env python
"""Write a rendered dataset (dsprites, shapes3d) once to disk as a TFDS dataset, for pipelines that want files.

Usage: write_tfds.py dsprites --data-dir ~/tensorflow_datasets [--limit N]
Then: tfds.load("zoo_dsprites", data_dir=...) gives {"image", "factors", "index"} examples. The zoo itself never
needs this: it renders on the fly.
"""
import argparse

from zoo import data

if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("dataset", choices=sorted(n for n, d in data.DATASETS.items() if d.rendered))
    p.add_argument("--data-dir", required=True, help="TFDS data folder to write into")
    p.add_argument("--limit", type=int, help="only the first N images of the grid (by index)")
    args = p.parse_args()
    print(f"wrote {data.write_tfds(args.dataset, args.data_dir, args.limit)} under {args.data_dir}")
