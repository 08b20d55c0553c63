# The float jet tagger and the same training loop as bench_train, against
# PyTorch's Python API.  Prints the best epoch time in seconds.
# Usage: python3 train_pytorch.py SAMPLES EPOCHS   (2 threads)
import sys
import time

import torch

samples, epochs = int(sys.argv[1]), int(sys.argv[2])
torch.set_num_threads(2)
torch.manual_seed(1)
x = torch.randn(samples, 16)
y = torch.randint(0, 5, (samples,))
layers = []
for n_in, n_out in [(16, 64), (64, 32), (32, 32)]:
    layers += [torch.nn.Linear(n_in, n_out), torch.nn.BatchNorm1d(n_out, eps=1e-3, momentum=0.01), torch.nn.ReLU()]
model = torch.nn.Sequential(*layers, torch.nn.Linear(32, 5), torch.nn.Softmax(dim=1))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
best = float("inf")
for _ in range(epochs):
    start = time.perf_counter()
    order = torch.randperm(samples)
    for b in range(0, samples, 1024):
        index = order[b:b + 1024]
        p = model(x[index]).gather(1, y[index].view(-1, 1)).clamp(1e-7, 1 - 1e-7)
        loss = -p.log().mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        loss.item()
    best = min(best, time.perf_counter() - start)
print(best)
