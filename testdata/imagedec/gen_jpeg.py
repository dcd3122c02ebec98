#!/usr/bin/python3
"""Golden files for imagedec: JPEGs and what OpenCV's cv2.imdecode makes of them.

Run with Debian's python3 (python3-opencv 4.6, python3-skimage, python3-pil):
    cd testdata/imagedec && /usr/bin/python3 gen_jpeg.py

Writes NAME.jpg and NAME.png (the RGB pixels cv2.imdecode(..., IMREAD_COLOR)
returns, converted BGR->RGB, stored losslessly) for photos cropped from
scikit-image's sample images, in the subsamplings, qualities and encodings
face datasets contain, with EXIF orientations 2..8 and in Adobe CMYK, plus a
truncated file (decoded with a warning).
"""
import io

import cv2
import numpy as np
from PIL import Image
from skimage import data


def save(name, jpg):
    with open(name + ".jpg", "wb") as f:
        f.write(jpg)
    bgr = cv2.imdecode(np.frombuffer(jpg, np.uint8), cv2.IMREAD_COLOR)
    assert bgr is not None, name
    ok, png = cv2.imencode(".png", bgr)  # PNG stores the BGR array as RGB
    assert ok
    with open(name + ".png", "wb") as f:
        f.write(png.tobytes())


def pil_jpeg(img, **kw):
    b = io.BytesIO()
    (img if isinstance(img, Image.Image) else Image.fromarray(img)).save(b, format="JPEG", **kw)
    return b.getvalue()


def cv_jpeg(rgb, params):
    ok, b = cv2.imencode(".jpg", np.ascontiguousarray(rgb[:, :, ::-1]), params)
    assert ok
    return b.tobytes()


face = data.astronaut()[40:200, 150:290]  # 160×140, a face
cat = data.chelsea()[50:163, 120:233]  # 113×113, odd size
coffee = data.coffee()[100:197, 200:331]  # 97×131

save("face_q75_420", cv_jpeg(face, [cv2.IMWRITE_JPEG_QUALITY, 75]))
save("face_q95_420", cv_jpeg(face, [cv2.IMWRITE_JPEG_QUALITY, 95]))
save("face_progressive", cv_jpeg(face, [cv2.IMWRITE_JPEG_QUALITY, 90, cv2.IMWRITE_JPEG_PROGRESSIVE, 1]))
save("cat_q90_444", pil_jpeg(cat, quality=90, subsampling=0))
save("cat_q90_422", pil_jpeg(cat, quality=90, subsampling=1))
save("coffee_rst", cv_jpeg(coffee, [cv2.IMWRITE_JPEG_QUALITY, 85, cv2.IMWRITE_JPEG_RST_INTERVAL, 2]))
gray = cv2.cvtColor(np.ascontiguousarray(face[:, :, ::-1]), cv2.COLOR_BGR2GRAY)
ok, g = cv2.imencode(".jpg", gray, [cv2.IMWRITE_JPEG_QUALITY, 80])
save("face_gray", g.tobytes())
# EXIF orientations 2..8: cv2.imdecode turns the image upright.
for o in range(2, 9):
    exif = Image.Exif()
    exif[0x0112] = o
    save("cat_exif%d" % o, pil_jpeg(cat[:60, :90], quality=90, exif=exif.tobytes()))
# Adobe CMYK, as Photoshop writes it: OpenCV converts to BGR itself.
save("cat_cmyk", pil_jpeg(Image.fromarray(cat).convert("CMYK"), quality=90))
full = cv_jpeg(face, [cv2.IMWRITE_JPEG_QUALITY, 75])
save("face_truncated", full[: len(full) * 2 // 3])
