"""Draws the app's PNG icons (the favicon's blue square and white tick) into public/icons/.

    ../.venv/bin/python scripts/make-icons.py

`any` icons have rounded corners on a transparent ground; `maskable` ones fill the square
edge to edge with the tick inside the central 80 % safe zone, as launchers crop them.
"""

from pathlib import Path

from PIL import Image, ImageDraw

BLUE = (13, 110, 253, 255)
WHITE = (255, 255, 255, 255)
OUT = Path(__file__).resolve().parents[1] / "public" / "icons"
SCALE = 4  # drawn large and scaled down: smooth edges without an anti-aliasing library


def icon(size: int, maskable: bool) -> Image.Image:
    big = size * SCALE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if maskable:
        draw.rectangle((0, 0, big, big), fill=BLUE)
        tick_box = 0.6  # of the side: well within the 80 % safe circle
    else:
        draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=big * 6 // 32, fill=BLUE)
        tick_box = 1.0
    # The favicon's tick, M9 16.5 l4.5 4.5 L23 11 on a 32 grid, scaled about the centre.
    points = [(9, 16.5), (13.5, 21), (23, 11)]
    unit = big / 32 * tick_box
    offset = big * (1 - tick_box) / 2
    path = [(offset + x * unit, offset + y * unit) for x, y in points]
    width = round(3.5 * unit)
    draw.line(path, fill=WHITE, width=width, joint="curve")
    for x, y in (path[0], path[-1]):
        draw.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill=WHITE)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        icon(size, maskable=False).save(OUT / f"icon-{size}.png", optimize=True)
        icon(size, maskable=True).save(OUT / f"maskable-{size}.png", optimize=True)
    icon(180, maskable=True).convert("RGB").save(OUT / "apple-touch-icon.png", optimize=True)


if __name__ == "__main__":
    main()
