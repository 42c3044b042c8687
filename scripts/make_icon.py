"""Draw the application icon (assets/icons/digitpad.png and .ico) with Pillow."""

from pathlib import Path

from PIL import Image, ImageDraw

ICONS = Path(__file__).resolve().parent.parent / "assets" / "icons"


def draw(size: int = 512) -> Image.Image:
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    s = size / 512
    d.rounded_rectangle((16 * s, 16 * s, 496 * s, 496 * s), radius=96 * s, fill=(33, 118, 220))
    d.rounded_rectangle((72 * s, 72 * s, 440 * s, 440 * s), radius=40 * s, fill=(255, 255, 255))
    # A hand-drawn looking seven in dark ink.
    d.line(
        [(150 * s, 160 * s), (362 * s, 150 * s), (230 * s, 380 * s)],
        fill=(25, 30, 45),
        width=int(44 * s),
        joint="curve",
    )
    for x, y in ((150, 160), (230, 380)):
        r = 22 * s
        d.ellipse((x * s - r, y * s - r, x * s + r, y * s + r), fill=(25, 30, 45))
    return img


if __name__ == "__main__":
    ICONS.mkdir(parents=True, exist_ok=True)
    icon = draw()
    icon.resize((256, 256), Image.LANCZOS).save(ICONS / "digitpad.png")
    icon.save(
        ICONS / "digitpad.ico",
        sizes=[(16, 16), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)],
    )
