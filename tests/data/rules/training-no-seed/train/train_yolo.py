"""A detector fine-tuned through Ultralytics: its `.train()` seeds every RNG (`seed=0`)."""

from ultralytics import YOLO


def main() -> None:
    detector = YOLO("yolov8n.pt")
    detector.train(data="parts.yaml", epochs=20, imgsz=640)


if __name__ == "__main__":
    main()
