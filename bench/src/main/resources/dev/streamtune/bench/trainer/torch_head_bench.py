#!/usr/bin/python3
"""Baseline for TrainerBenchmark: the same head-training loop in PyTorch from Python.

Reads the features TrainerBenchmark wrote and trains the same head (linear, or linear-ReLU-dropout-
linear) with the same batch size, torch.optim.AdamW, warm-up + cosine learning rate, class-weighted
cross-entropy from running class counts, and thread count; prints one JSON line with examples/s.
Run with Debian's /usr/bin/python3 (package python3-torch).
"""
import argparse
import json
import math
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--features", required=True)
    p.add_argument("--labels", required=True)
    p.add_argument("--dim", type=int, required=True)
    p.add_argument("--classes", type=int, default=2)
    p.add_argument("--head", choices=["linear", "mlp"], required=True)
    p.add_argument("--hidden", type=int, default=256)
    p.add_argument("--dropout", type=float, default=0.1)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--warmup-steps", type=int, default=200)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--weight-decay", type=float, default=0.01)
    p.add_argument("--lr-warmup", type=int, default=100)
    p.add_argument("--lr-decay", type=int, default=10000)
    p.add_argument("--min-lr-ratio", type=float, default=0.1)
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(42)
    x_all = torch.from_numpy(np.fromfile(a.features, dtype="<f4").reshape(-1, a.dim))
    y_all = torch.from_numpy(np.fromfile(a.labels, dtype="<i4").astype(np.int64))
    y_np = y_all.numpy()
    n = x_all.shape[0]

    if a.head == "linear":
        model = torch.nn.Linear(a.dim, a.classes)
    else:
        model = torch.nn.Sequential(torch.nn.Linear(a.dim, a.hidden), torch.nn.ReLU(),
                                    torch.nn.Dropout(a.dropout), torch.nn.Linear(a.hidden, a.classes))
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=a.weight_decay)
    counts = np.zeros(a.classes, dtype=np.int64)

    def lr_at(step):
        if step < a.lr_warmup:
            return a.lr * (step + 1) / (a.lr_warmup + 1)
        floor = a.lr * a.min_lr_ratio
        progress = min(1.0, (step - a.lr_warmup) / a.lr_decay)
        return floor + (a.lr - floor) * 0.5 * (1 + math.cos(math.pi * progress))

    def train(steps, start):
        offset = start
        for step in range(start, start + steps):
            lo = (offset * a.batch) % (n - a.batch + 1)
            offset += 1
            xb = x_all[lo:lo + a.batch]
            yb = y_all[lo:lo + a.batch]
            counts[:] += np.bincount(y_np[lo:lo + a.batch], minlength=a.classes)
            total = counts.sum()
            weights = torch.tensor((total + a.classes) / (a.classes * (counts + 1.0)), dtype=torch.float32)
            for group in opt.param_groups:
                group["lr"] = lr_at(step)
            loss = F.cross_entropy(model(xb), yb, weight=weights)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        return loss.item()

    train(a.warmup_steps, 0)
    # Segments are timed on request ("run N" on stdin, one JSON line back) so TrainerBenchmark can
    # alternate Java and Python segments: on a shared machine the load drifts, and alternating
    # exposes both sides to the same drift.
    print(json.dumps({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)
    done = a.warmup_steps
    for line in sys.stdin:
        words = line.split()
        if not words or words[0] == "quit":
            break
        if words[0] != "run" or len(words) != 2:
            print(json.dumps({"error": "expected 'run N' or 'quit', got " + line.strip()}), flush=True)
            continue
        steps = int(words[1])
        t0 = time.perf_counter()
        last_loss = train(steps, done)
        elapsed = time.perf_counter() - t0
        done += steps
        print(json.dumps({"seconds": elapsed, "steps": steps, "last_loss": last_loss}), flush=True)


if __name__ == "__main__":
    main()
