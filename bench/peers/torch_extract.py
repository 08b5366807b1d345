# SPDX-License-Identifier: MIT
"""PyTorch CPU peer for bench/cases/extract.ts and train-step.ts.

Prints one JSON object on stdout. Same images as ours: a raw float32 NHWC file of pixels
0..255 decoded by our decoder (model-only timing) and the JPEG files themselves (decode
included, PIL + torchvision transforms, the way a plain PyTorch script does it).
Weights are random (torchvision's default init): the timing does not depend on their values.
"""
import argparse
import json
import os
import resource
import sys
import time

import numpy as np
import torch
import torchvision


def build(name, mode):
    if name == "mobilenetv2":
        m = torchvision.models.mobilenet_v2(weights=None)
        feats = torch.nn.Sequential(m.features, torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten())
    elif name == "resnet50":
        m = torchvision.models.resnet50(weights=None)
        if mode == "extract":
            # Features only; train mode keeps fc, whose in_features sizes the new 10-way head.
            m.fc = torch.nn.Identity()
        feats = m
    else:
        raise SystemExit(f"unknown model {name!r}; expected mobilenetv2 or resnet50")
    if mode == "extract":
        return feats.eval()
    return m


MEAN = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)


def to_input(nhwc):
    x = torch.from_numpy(nhwc).permute(0, 3, 1, 2).contiguous()
    return (x / 255.0 - MEAN) / STD


def timed(fn, warmup, reps):
    for _ in range(warmup):
        fn()
    wall, cpu = [], []
    for _ in range(reps):
        c0 = time.process_time()
        t0 = time.perf_counter()
        fn()
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return {"wall_ms": wall, "cpu_ms": cpu}


def extract(args, model):
    raw = np.fromfile(args.pixels, dtype=np.float32).reshape(-1, args.size, args.size, 3)
    n = raw.shape[0] if args.images <= 0 else min(args.images, raw.shape[0])
    b = args.batch
    batches = [to_input(raw[i:i + b]) for i in range(0, n, b)]
    out = {"images": n}

    def model_only():
        with torch.inference_mode():
            for x in batches:
                model(x)

    out["model_only"] = timed(model_only, args.warmup, args.reps)
    if args.jpegs:
        from PIL import Image
        from torchvision import transforms

        files = sorted(os.path.join(args.jpegs, f) for f in os.listdir(args.jpegs) if f.endswith(".jpg"))[:n]
        tf = transforms.Compose([
            transforms.Resize((args.size, args.size)),
            transforms.ToTensor(),
            transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
        ])

        def with_decode():
            with torch.inference_mode():
                for i in range(0, n, b):
                    x = torch.stack([tf(Image.open(p).convert("RGB")) for p in files[i:i + b]])
                    model(x)

        out["with_decode"] = timed(with_decode, args.warmup, args.reps)
    return out


def train(args, model):
    torch.manual_seed(0)
    model.train()
    b = args.batch
    x = torch.randn(b, 3, args.size, args.size)
    y = torch.randint(0, 10, (b,))
    head_in = model.classifier[-1].in_features if hasattr(model, "classifier") else model.fc.in_features
    if hasattr(model, "classifier"):
        model.classifier[-1] = torch.nn.Linear(head_in, 10)
    else:
        model.fc = torch.nn.Linear(head_in, 10)
    opt = torch.optim.Adam(model.parameters(), lr=1e-4)
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    return {"images": b, "step": timed(step, args.warmup, args.reps)}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--mode", choices=["extract", "train"], default="extract")
    p.add_argument("--model", required=True)
    p.add_argument("--size", type=int, default=224)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--pixels", help="raw float32 NHWC file, pixels 0..255")
    p.add_argument("--jpegs", help="folder of the same images as .jpg")
    p.add_argument("--images", type=int, default=0, help="use at most this many images (0 = all)")
    args = p.parse_args()
    torch.set_num_threads(os.cpu_count())
    model = build(args.model, args.mode)
    res = extract(args, model) if args.mode == "extract" else train(args, model)
    res.update({
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "threads": torch.get_num_threads(),
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    })
    json.dump(res, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
