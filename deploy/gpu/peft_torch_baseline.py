#!/usr/bin/env python3
"""The PyTorch-eager baseline for the Java PEFT benchmark on the same machine and the same pack.

Reads a PeftPack (model/.../peft/PeftPack.java: inputs.bin.gz + encoder.f16), builds the same
MiniLM encoder (post-LayerNorm BERT, erf GELU, mean pooling + L2 norm) from the same
half-precision weights, and trains LoRA (rank 8, alpha 16, query and value) plus a linear head
with Adam, in length-bucketed batches, reading the loss back every step as the Java trainer does.
Prints examples/s and test macro-F1 as JSON, so the Java figure has a ratio next to it.

  python3 peft_torch_baseline.py PACK_DIR [--epochs N] [--batch N] [--device cuda|cpu]
"""
import argparse
import gzip
import json
import math
import random
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

INPUTS_MAGIC = 0x53545049
ENCODER_MAGIC = 0x53545045


def read_int(f):
    return struct.unpack(">i", f.read(4))[0]


def read_utf(f):
    (length,) = struct.unpack(">H", f.read(2))
    return f.read(length).decode("utf-8")


def read_set(f):
    labels = [read_utf(f) for _ in range(read_int(f))]
    rows, row_labels = [], []
    for _ in range(read_int(f)):
        row_labels.append(read_int(f))
        length = read_int(f)
        tokens = np.frombuffer(f.read(5 * length), dtype=[("id", ">i4"), ("mask", "i1")])
        rows.append(tokens["id"].astype(np.int64))
    return labels, rows, np.array(row_labels, dtype=np.int64)


def read_inputs(path):
    with gzip.open(path, "rb") as f:
        assert read_int(f) == INPUTS_MAGIC, f"{path} is not a pack inputs file"
        read_int(f)  # version
        seed = struct.unpack(">q", f.read(8))[0]
        max_tokens = read_int(f)
        read_utf(f)  # backbone id
        train = read_set(f)
        test = read_set(f)
    return seed, max_tokens, train, test


def read_encoder(path):
    tensors = {}
    with open(path, "rb") as f:
        assert read_int(f) == ENCODER_MAGIC, f"{path} is not a pack encoder file"
        read_int(f)  # version
        heads = read_int(f)
        for _ in range(read_int(f)):
            name = read_utf(f)
            shape = [struct.unpack(">q", f.read(8))[0] for _ in range(read_int(f))]
            kind = f.read(1)[0]
            if kind == 1:
                rows = np.frombuffer(f.read(4 * read_int(f)), dtype=">i4")
                values = np.zeros(shape, dtype=np.float32)
                values[rows] = np.frombuffer(f.read(2 * len(rows) * shape[1]), dtype=">f2").reshape(len(rows), shape[1])
            else:
                values = np.frombuffer(f.read(2 * int(np.prod(shape))), dtype=">f2").astype(np.float32).reshape(shape)
            tensors[name] = torch.from_numpy(np.ascontiguousarray(values, dtype=np.float32))
    return heads, tensors


class LoraMiniLM(torch.nn.Module):
    def __init__(self, weights, heads, labels, rank=8, alpha=16.0):
        super().__init__()
        self.w = {k: v for k, v in weights.items()}
        for i, (name, value) in enumerate(self.w.items()):
            self.register_buffer(f"frozen_{i}", value)
        self.names = list(self.w)
        self.heads = heads
        self.hidden = self.w["embeddings.word_embeddings.weight"].shape[1]
        self.layers = sum(1 for k in self.w if k.endswith("attention.self.query.weight"))
        self.scale = alpha / rank
        self.lora = torch.nn.ParameterList()
        for _ in range(self.layers):
            for _ in ("query", "value"):
                a = torch.empty(rank, self.hidden)
                torch.nn.init.kaiming_uniform_(a, a=math.sqrt(5))
                self.lora.append(torch.nn.Parameter(a))
                self.lora.append(torch.nn.Parameter(torch.zeros(self.hidden, rank)))
        self.head = torch.nn.Linear(self.hidden, labels)

    def weight(self, name):
        return getattr(self, f"frozen_{self.names.index(name)}")

    def dense(self, x, layer, part, lora=None):
        out = x @ self.weight(f"encoder.layer.{layer}.{part}.weight") + self.weight(f"encoder.layer.{layer}.{part}.bias")
        if lora is not None:
            a, b = lora
            out = out + (x @ a.t() @ b.t()) * self.scale
        return out

    def norm(self, x, name):
        return F.layer_norm(x, (self.hidden,), self.weight(name + ".weight"), self.weight(name + ".bias"), 1e-12)

    def forward(self, ids, mask):
        rows, length = ids.shape
        x = (self.weight("embeddings.word_embeddings.weight")[ids]
             + self.weight("embeddings.position_embeddings.weight")[:length].unsqueeze(0)
             + self.weight("embeddings.token_type_embeddings.weight")[0])
        x = self.norm(x, "embeddings.LayerNorm")
        size = self.hidden // self.heads
        bias = (1.0 - mask[:, None, None, :].to(x.dtype)) * -1e9
        for layer in range(self.layers):
            lq = (self.lora[4 * layer], self.lora[4 * layer + 1])
            lv = (self.lora[4 * layer + 2], self.lora[4 * layer + 3])
            q = self.dense(x, layer, "attention.self.query", lq)
            k = self.dense(x, layer, "attention.self.key")
            v = self.dense(x, layer, "attention.self.value", lv)
            q, k, v = (t.view(rows, length, self.heads, size).transpose(1, 2) for t in (q, k, v))
            scores = q @ k.transpose(-1, -2) / math.sqrt(size) + bias
            context = (scores.softmax(-1) @ v).transpose(1, 2).reshape(rows, length, self.hidden)
            x = self.norm(x + self.dense(context, layer, "attention.output.dense"),
                          f"encoder.layer.{layer}.attention.output.LayerNorm")
            inner = F.gelu(self.dense(x, layer, "intermediate.dense"))
            x = self.norm(x + self.dense(inner, layer, "output.dense"), f"encoder.layer.{layer}.output.LayerNorm")
        m = mask.unsqueeze(-1).to(x.dtype)
        pooled = (x * m).sum(1) / m.sum(1).clamp(min=1e-9)
        return self.head(F.normalize(pooled, dim=1))


def padded(rows, index, device):
    length = max(len(rows[i]) for i in index)
    ids = torch.zeros(len(index), length, dtype=torch.long)
    mask = torch.zeros(len(index), length, dtype=torch.long)
    for r, i in enumerate(index):
        ids[r, : len(rows[i])] = torch.from_numpy(rows[i])
        mask[r, : len(rows[i])] = 1
    return ids.to(device), mask.to(device)


def batches(rows, batch, rng):
    order = list(range(len(rows)))
    rng.shuffle(order)
    plan = []
    window = batch * 8
    for start in range(0, len(order), window):
        chunk = sorted(order[start:start + window], key=lambda i: len(rows[i]))
        plan += [chunk[s:s + batch] for s in range(0, len(chunk), batch)]
    rng.shuffle(plan)
    return plan


def macro_f1(truth, predicted, labels):
    scores = []
    for label in range(labels):
        tp = int(((predicted == label) & (truth == label)).sum())
        fp = int(((predicted == label) & (truth != label)).sum())
        fn = int(((predicted != label) & (truth == label)).sum())
        if tp + fp + fn:
            scores.append(2 * tp / (2 * tp + fp + fn))
    return sum(scores) / len(scores) if scores else 0.0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pack")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--max-steps", type=int, default=0, help="stop after this many steps (0: all)")
    args = parser.parse_args()
    seed, max_tokens, (labels, train_rows, train_y), (_, test_rows, test_y) = read_inputs(f"{args.pack}/inputs.bin.gz")
    heads, weights = read_encoder(f"{args.pack}/encoder.f16")
    torch.manual_seed(seed)
    device = torch.device(args.device)
    model = LoraMiniLM(weights, heads, len(labels)).to(device)
    optimizer = torch.optim.Adam([{"params": list(model.lora.parameters()), "lr": 2e-3},
                                  {"params": list(model.head.parameters()), "lr": 1e-2}])
    rng = random.Random(seed + 7)
    plan = [b for _ in range(args.epochs) for b in batches(train_rows, args.batch, rng)]
    if args.max_steps:
        plan = plan[: args.max_steps]
    examples = 0
    start = time.perf_counter()
    for step, index in enumerate(plan):
        ids, mask = padded(train_rows, index, device)
        loss = F.cross_entropy(model(ids, mask), torch.from_numpy(train_y[index]).to(device))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        loss.item()  # the Java trainer reads its loss back every step too
        examples += len(index)
        if step % 20 == 0 or step == len(plan) - 1:
            rate = examples / (time.perf_counter() - start)
            print(f"[torch lora] step {step + 1}/{len(plan)}, loss {loss.item():.4f}, {rate:.1f} examples/s",
                  file=sys.stderr)
    seconds = time.perf_counter() - start
    model.eval()
    predicted = np.zeros(len(test_rows), dtype=np.int64)
    with torch.no_grad():
        order = sorted(range(len(test_rows)), key=lambda i: len(test_rows[i]))
        for s in range(0, len(order), 32):
            index = order[s:s + 32]
            predicted[index] = model(*padded(test_rows, index, device)).argmax(1).cpu().numpy()
    print(json.dumps({"technique": "lora", "framework": f"torch {torch.__version__} eager", "device": str(device),
                      "examples_per_s": examples / seconds, "train_s": seconds, "steps": len(plan),
                      "test_macro_f1": macro_f1(test_y, predicted, len(labels)),
                      "trainable_params": sum(p.numel() for p in model.lora.parameters())
                      + sum(p.numel() for p in model.head.parameters())}))


if __name__ == "__main__":
    main()
