import pickle


class Store:
    def __init__(self, client):
        self.client = client

    def encode(self, value):
        return pickle.dumps(value)

    def decode(self, raw):
        return pickle.loads(raw)
