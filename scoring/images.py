"""Pictures a person uploads (evidence screenshots, appeal proofs): sized from the header alone,
refused past :data:`scoring.limits.MAX_IMAGE_PIXELS`, shown as a bounded thumbnail (issue 27,
finding 5: a 684 KB PNG of 13000×13000 px decodes to 507 MB)."""

from __future__ import annotations

import io
import warnings

from PIL import Image

from scoring.errors import Issue
from scoring.limits import MAX_IMAGE_PIXELS, MAX_THUMBNAIL_PX

__all__ = ["image_issue", "image_size", "thumbnail"]


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from the header, without decoding a pixel; None for what is not an image.
    A size past Pillow's own bomb limit comes back too, as (0, 0) when Pillow will not say it."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                return image.size
    except Image.DecompressionBombError:
        return (0, 0)
    except Exception:  # PIL raises many kinds for a file that is not an image; any of them means "not one"
        return None


def image_issue(name: str, data: bytes) -> Issue | None:
    """The problem with storing ``data`` as a picture shown inline, or None."""
    size = image_size(data)
    if size is None or (0 < size[0] * size[1] <= MAX_IMAGE_PIXELS):
        return None  # a file that is not an image is kept and offered as a download, never decoded
    width, height = size
    shown = f"{width}×{height} 像素(约 {width * height / 1e4:,.0f} 万像素)" if width else "像素数极大"
    return Issue(code="image-too-large", file=name,
                 message=f"图片 {shown},超过 {MAX_IMAGE_PIXELS // 10**4:,} 万像素的上限;打开它需要的内存远大于文件本身。"
                 "请缩小图片或只截取需要的部分后再上传")  # fmt: skip


def thumbnail(data: bytes) -> bytes | None:
    """A picture at most :data:`MAX_THUMBNAIL_PX` on its longer side (PNG, JPEG for a photo), or
    None for a file that is not an image or is too large to open. A JPEG is decoded at the reduced
    scale straight away (``draft``); other kinds are decoded once, within the pixel limit."""
    size = image_size(data)
    if size is None or not 0 < size[0] * size[1] <= MAX_IMAGE_PIXELS:
        return None
    try:
        with Image.open(io.BytesIO(data)) as image:
            photo = image.format == "JPEG"
            image.draft("RGB", (MAX_THUMBNAIL_PX, MAX_THUMBNAIL_PX))
            image.thumbnail((MAX_THUMBNAIL_PX, MAX_THUMBNAIL_PX))
            out = io.BytesIO()
            if photo:
                image.convert("RGB").save(out, "JPEG", quality=85)
            else:
                image.save(out, "PNG")
            return out.getvalue()
    except Exception:  # a damaged picture: offered as a download instead
        return None
