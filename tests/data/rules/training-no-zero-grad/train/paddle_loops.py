"""Fine-tuning loops written for PaddlePaddle: its optimizers and layers clear gradients by their
own method names."""

import paddle


def train(model, loader, epochs=3):
    optimizer = paddle.optimizer.AdamW(learning_rate=3e-5, parameters=model.parameters())
    for _epoch in range(epochs):
        for x, y in loader:
            loss = paddle.nn.functional.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
            optimizer.clear_grad()


def train_fluid(model, loader, optimizer):
    for x, y in loader:
        loss = model(x, labels=y)
        loss.backward()
        optimizer.step()
        model.clear_gradients()


def train_uncleared(model, loader, optimizer):
    for x, y in loader:
        loss = model(x, labels=y)
        loss.backward()
        optimizer.step()
