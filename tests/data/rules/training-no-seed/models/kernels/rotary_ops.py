import torch


def rotate(x, angle):
    return x * torch.cos(angle)


def test_backward_correctness():
    x = torch.randn(4, 8, requires_grad=True)
    angle = torch.randn(4, 8)
    out = rotate(x, angle)
    out.backward(torch.randn(4, 8))
    assert x.grad is not None


def benchmark_rotate():
    x = torch.randn(1024, 1024, requires_grad=True)
    rotate(x, x).sum().backward()


def fit_probe():
    probe = torch.nn.Linear(8, 1)
    optimizer = torch.optim.SGD(probe.parameters(), lr=0.1)
    loss = probe(torch.randn(4, 8)).pow(2).mean()
    loss.backward()
    optimizer.step()


class FrozenStem(torch.nn.Module):
    def train(self, mode=True):
        super().train(mode)
        return self


if __name__ == "__main__":
    test_backward_correctness()
    benchmark_rotate()
    fit_probe()
