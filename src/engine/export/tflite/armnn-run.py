# SPDX-License-Identifier: MIT
# Runs a .tflite file with Arm NN's TfLite parser on the CpuRef backend (Debian python3-pyarmnn),
# an independent TFLite runtime for the export tests. Usage: armnn-run.py MODEL INPUT.f32 OUTPUT.f32
# (raw little-endian float32, one NHWC image in, the first output's values out).
import sys

import numpy as np
import pyarmnn as ann

model, inp, out = sys.argv[1:4]
parser = ann.ITfLiteParser()
network = parser.CreateNetworkFromBinaryFile(model)
graph = 0
in_names = parser.GetSubgraphInputTensorNames(graph)
out_names = parser.GetSubgraphOutputTensorNames(graph)
in_binding = parser.GetNetworkInputBindingInfo(graph, in_names[0])
out_binding = parser.GetNetworkOutputBindingInfo(graph, out_names[0])
runtime = ann.IRuntime(ann.CreationOptions())
opt, _ = ann.Optimize(network, [ann.BackendId("CpuRef")], runtime.GetDeviceSpec(), ann.OptimizerOptions())
net_id, _ = runtime.LoadNetwork(opt)
data = np.fromfile(inp, dtype=np.float32)
inputs = ann.make_input_tensors([in_binding], [data])
outputs = ann.make_output_tensors([out_binding])
runtime.EnqueueWorkload(net_id, inputs, outputs)
result = ann.workload_tensors_to_ndarray(outputs)[0]
result.astype(np.float32).tofile(out)
