# SPDX-License-Identifier: MIT
# Writes random-weight torchvision AlexNet / GoogLeNet / ResNet18 (10 classes, eval mode, non-trivial
# BN statistics), an input batch and torchvision's logits as raw float32 files, for
# scripts/torchvision-parity.ts to load into the zoo's classic builders and compare.
# Needs python3 with torch and torchvision (Debian: python3-torch, python3-torchvision).
# Run: /usr/bin/python3 scripts/torchvision-parity.py /tmp/parity
import json, os, sys
import torch
import torchvision.models as m

out = sys.argv[1] if len(sys.argv) > 1 else '/tmp/torchvision-parity'
torch.manual_seed(0)
# Sizes away from 224 on purpose: 113 makes AlexNet's AdaptiveAvgPool2d repeat bins and GoogLeNet's
# ceil-mode pools differ from TF 'same' padding; 75 gives ResNet18 odd feature maps.
MODELS = [
    ('alexnet', lambda: m.alexnet(num_classes=10), 113),
    ('googlenet', lambda: m.googlenet(num_classes=10, aux_logits=False, init_weights=True), 113),
    ('resnet18', lambda: m.resnet18(num_classes=10), 75),
]
for name, ctor, size in MODELS:
    net = ctor()
    for mod in net.modules():
        if isinstance(mod, torch.nn.BatchNorm2d):
            mod.running_mean.uniform_(-0.2, 0.2)
            mod.running_var.uniform_(0.5, 1.5)
            mod.weight.data.uniform_(0.5, 1.5)
            mod.bias.data.uniform_(-0.2, 0.2)
    net.eval()
    x = torch.rand(2, 3, size, size) * 2 - 1
    with torch.no_grad():
        y = net(x)
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    shapes = {}
    for k, v in net.state_dict().items():
        if 'num_batches' in k:
            continue
        v.float().numpy().tofile(os.path.join(d, k + '.bin'))
        shapes[k] = list(v.shape)
    x.numpy().tofile(os.path.join(d, 'input.bin'))
    y.numpy().tofile(os.path.join(d, 'output.bin'))
    with open(os.path.join(d, 'manifest.json'), 'w') as f:
        json.dump({'weights': shapes, 'size': size, 'out': list(y.shape)}, f)
    print(name, tuple(y.shape))
