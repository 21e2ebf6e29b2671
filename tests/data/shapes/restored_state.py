import pickle

import cloudpickle


class Featurizer:
    def __getstate__(self):
        state = dict(self.__dict__)
        state["encoder"] = cloudpickle.dumps(state["encoder"])
        return cloudpickle.dumps(state)

    def __setstate__(self, payload):
        state = cloudpickle.loads(payload)
        state["encoder"] = cloudpickle.loads(state["encoder"])
        self.__dict__ = state


class Ranker:
    def __setstate__(self, state):
        blob = state["weights"]
        self.weights = pickle.loads(blob)
        with open(state["vocab_path"], "rb") as handle:
            self.vocab = pickle.load(handle)

    def restore(self, payload):
        self.__dict__ = pickle.loads(payload)
