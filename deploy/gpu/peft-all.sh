#!/usr/bin/env bash
# Every PEFT technique on the GPU, each in its own JVM (a failure in one leaves the others' figures),
# then LoRA against the PyTorch-eager baseline on the same GPU and pack. Writes $OUT/*.json and logs.
here=$(cd "$(dirname "$0")" && pwd)
export OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
"$here/run-peft.sh" --probe | tee "$OUT/probe.txt" || exit 1
cat "$OUT/gpu.txt"
for t in lora bitfit prompt unfreeze attempt; do
  timeout 150 "$here/run-peft.sh" --techniques head,$t --json "$OUT/peft-$t.json" > "$OUT/peft-$t.log" 2>&1
  echo "== head,$t rc=$?"; grep -E "^(head|$t) " "$OUT/peft-$t.log"
done
for epochs in 2 10; do
  timeout 120 "$here/run-peft.sh" --techniques lora --no-warm-start --epochs $epochs > "$OUT/java-lora-e$epochs.log" 2>&1
  echo "== java lora, cold head, $epochs epochs rc=$?"; grep -E "^lora " "$OUT/java-lora-e$epochs.log"
  timeout 120 python3 "$here/peft_torch_baseline.py" "$here/pack" --epochs $epochs 2> "$OUT/torch-lora-e$epochs.log" \
    | tee "$OUT/torch-lora-e$epochs.json"
done
