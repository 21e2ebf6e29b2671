from openai import OpenAI


class Summariser:
    def __init__(self) -> None:
        self.client = OpenAI()


if __name__ == "__main__":
    Summariser()
