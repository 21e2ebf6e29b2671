"""Word error rate of generated speech, read back by a speech recognition model."""

from transformers import pipeline


def transcribe(asr_checkpoint, clips):
    recognizer = pipeline(model=asr_checkpoint)
    return [out["text"] for out in recognizer(clips, batch_size=4)]


def transcribe_with_named_task(clips):
    recognizer = pipeline("automatic-speech-recognition", model="acme/asr-small")
    return recognizer(clips)
